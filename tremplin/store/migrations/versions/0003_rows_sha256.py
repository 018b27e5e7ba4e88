"""rows_sha256 of each loaded file: a millésime that repeats another is told

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 09:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("source_files", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rows_sha256", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("source_files", schema=None) as batch_op:
        batch_op.drop_column("rows_sha256")
