"""BCN successors: the diplomas that replace a CFD

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 11:56:36
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


_COLUMNS = tuple(f"nouveau_diplome_{n}" for n in range(1, 8))


def upgrade() -> None:
    with op.batch_alter_table("src_bcn_formations", schema=None) as batch_op:
        for column in _COLUMNS:
            batch_op.add_column(sa.Column(column, sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("src_bcn_formations", schema=None) as batch_op:
        for column in reversed(_COLUMNS):
            batch_op.drop_column(column)
