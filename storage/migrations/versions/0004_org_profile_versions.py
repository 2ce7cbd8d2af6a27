"""Versioned staff edits of association profiles (FAQ, hours, contacts, services, ready replies,
assumption answers), merged over the YAML seed; rollback adds a version, none is ever rewritten.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""
from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "orgprofileversion",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("org_slug", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("override", sa.JSON(), nullable=False),
        sa.Column("changed", sa.JSON(), nullable=False),
        sa.Column("actor", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("restores", sa.Integer(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.UniqueConstraint("org_slug", "version"),
    )
    op.create_index("ix_orgprofileversion_org_slug", "orgprofileversion", ["org_slug"])


def downgrade() -> None:
    op.drop_index("ix_orgprofileversion_org_slug", table_name="orgprofileversion")
    op.drop_table("orgprofileversion")
