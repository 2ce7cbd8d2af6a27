"""Staff workspace reports: the daily digest of late work, and notices to a field site's contacts.

Revision ID: 0007_reports
Revises: 0006_hot_indexes
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0007_reports"
down_revision = "0006_hot_indexes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "late_digest",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("org_slug", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.UniqueConstraint("org_slug", "day"),
    )
    op.create_table(
        "site_notice",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("org_slug", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("site", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("template", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("actor", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    )
    op.create_index("ix_site_notice_org_slug", "site_notice", ["org_slug"])


def downgrade() -> None:
    op.drop_index("ix_site_notice_org_slug", table_name="site_notice")
    op.drop_table("site_notice")
    op.drop_table("late_digest")
