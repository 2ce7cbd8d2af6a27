"""The staff workspace (issue 14): who a handed-off conversation is with, internal notes, the one reason a
day that opens a conversation, and the keyed hash requests are found by their person's name.

Revision ID: 0009_workspace
Revises: 0008_outbox
Create Date: 2026-11-30
"""
from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy import JSON, Text, column, select, table, update

from storage.sealed import name_hash_of, unseal_tree

revision = "0009_workspace"
down_revision = "0008_outbox"
branch_labels = None
depends_on = None

BATCH = 500


def _backfill_name_hashes() -> None:
    requests = table("service_request", column("id", sa.Integer), column("data", JSON), column("name_hash", Text))
    conn = op.get_bind()
    last = 0
    while True:
        rows = conn.execute(select(requests).where(requests.c.id > last).order_by(requests.c.id).limit(BATCH)).all()
        if not rows:
            return
        for row in rows:
            digest = name_hash_of(unseal_tree(row.data))
            if digest is not None:
                conn.execute(update(requests).where(requests.c.id == row.id).values(name_hash=digest))
        last = rows[-1].id


def upgrade() -> None:
    with op.batch_alter_table("handoff") as batch:
        batch.add_column(sa.Column("assignee", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch.add_column(sa.Column("assigned_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch.create_index("ix_handoff_assignee", ["assignee"])
    with op.batch_alter_table("service_request") as batch:
        batch.add_column(sa.Column("name_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch.create_index("ix_service_request_name_hash", ["name_hash"])
    op.create_table(
        "staff_note",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("org_slug", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("contact_id", sa.Integer(), sa.ForeignKey("contact.id"), nullable=False),
        sa.Column("handoff_id", sa.Integer(), sa.ForeignKey("handoff.id"), nullable=True),
        sa.Column("author", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    )
    op.create_index("ix_staff_note_org_slug", "staff_note", ["org_slug"])
    op.create_index("ix_staff_note_contact_id", "staff_note", ["contact_id"])
    op.create_table(
        "thread_access",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("staff", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("contact_id", sa.Integer(), sa.ForeignKey("contact.id"), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.UniqueConstraint("staff", "contact_id", "day"),
    )
    op.create_index("ix_thread_access_contact_id", "thread_access", ["contact_id"])
    _backfill_name_hashes()


def downgrade() -> None:
    op.drop_index("ix_thread_access_contact_id", "thread_access")
    op.drop_table("thread_access")
    op.drop_index("ix_staff_note_contact_id", "staff_note")
    op.drop_index("ix_staff_note_org_slug", "staff_note")
    op.drop_table("staff_note")
    with op.batch_alter_table("service_request") as batch:
        batch.drop_index("ix_service_request_name_hash")
        batch.drop_column("name_hash")
    with op.batch_alter_table("handoff") as batch:
        batch.drop_index("ix_handoff_assignee")
        batch.drop_column("assigned_at")
        batch.drop_column("assignee")
