"""BMO secret flags: a suppressed cell (« * ») is told apart from a missing one

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 09:04:02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_COUNTS = ("projets", "projets_difficiles", "projets_saisonniers")


def upgrade() -> None:
    with op.batch_alter_table("src_bmo", schema=None) as batch_op:
        for count in _COUNTS:
            batch_op.add_column(sa.Column(f"{count}_secret", sa.Boolean(), nullable=True))
    # Rows loaded before: the BMO workbook leaves no count blank, a null came from « * ».
    for count in _COUNTS:
        op.execute(f"UPDATE src_bmo SET {count}_secret = ({count} IS NULL)")


def downgrade() -> None:
    with op.batch_alter_table("src_bmo", schema=None) as batch_op:
        for count in reversed(_COUNTS):
            batch_op.drop_column(f"{count}_secret")
