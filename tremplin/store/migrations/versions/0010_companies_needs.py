"""Companies, their sites and declared needs

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 13:52:12.573194
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "companies",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("siret", sa.String(length=14), nullable=False),
        sa.Column("naf", sa.String(length=6), nullable=True),
        sa.Column("nom", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("siret"),
    )
    op.create_table(
        "company_needs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("code_rome", sa.String(length=5), nullable=False),
        sa.Column("code_ogr", sa.String(length=12), nullable=True),
        sa.Column("appellation", sa.String(length=300), nullable=True),
        sa.Column("intitule", sa.String(length=200), nullable=True),
        sa.Column("nombre", sa.Integer(), nullable=False),
        sa.Column("pourvus", sa.Integer(), server_default="0", nullable=False),
        sa.Column("contrat", sa.String(length=32), nullable=False),
        sa.Column("niveau", sa.String(length=16), nullable=True),
        sa.Column("debut", sa.Date(), nullable=True),
        sa.Column("code_insee", sa.String(length=5), nullable=False),
        sa.Column("bassin_bmo", sa.String(length=8), nullable=True),
        sa.Column("code_departement", sa.String(length=3), nullable=True),
        sa.Column("code_academie", sa.String(length=3), nullable=True),
        sa.Column("code_region", sa.String(length=3), nullable=True),
        sa.Column("statut", sa.String(length=24), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["company_id"], ["companies.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("company_needs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_company_needs_bassin_bmo"), ["bassin_bmo"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_company_needs_code_academie"), ["code_academie"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_company_needs_code_departement"), ["code_departement"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_company_needs_code_insee"), ["code_insee"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_company_needs_code_region"), ["code_region"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_company_needs_code_rome"), ["code_rome"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_company_needs_company_id"), ["company_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_company_needs_statut"), ["statut"], unique=False)

    op.create_table(
        "company_sites",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("code_insee", sa.String(length=5), nullable=False),
        sa.ForeignKeyConstraint(["company_id"], ["companies.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("company_id", "code_insee"),
    )
    with op.batch_alter_table("company_sites", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_company_sites_company_id"), ["company_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("company_sites", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_company_sites_company_id"))

    op.drop_table("company_sites")
    with op.batch_alter_table("company_needs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_company_needs_statut"))
        batch_op.drop_index(batch_op.f("ix_company_needs_company_id"))
        batch_op.drop_index(batch_op.f("ix_company_needs_code_rome"))
        batch_op.drop_index(batch_op.f("ix_company_needs_code_region"))
        batch_op.drop_index(batch_op.f("ix_company_needs_code_insee"))
        batch_op.drop_index(batch_op.f("ix_company_needs_code_departement"))
        batch_op.drop_index(batch_op.f("ix_company_needs_code_academie"))
        batch_op.drop_index(batch_op.f("ix_company_needs_bassin_bmo"))

    op.drop_table("company_needs")
    op.drop_table("companies")
