"""Indexes for the hot queries at 100k rows: a webhook's contact look-up, a turn's open-alert check, the
staff board's open lists by status and deadline, and the foreign keys that erasure and reads follow.

Revision ID: 0006_hot_indexes
Revises: 0005_security
Create Date: 2026-11-29
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_hot_indexes"
down_revision = "0005_security"
branch_labels = None
depends_on = None

# (name, table, columns): kept in step with storage/models.py (`__table_args__` and `index=True`).
INDEXES = (
    ("ix_contact_channel_address", "contact", ["channel", "address"]),
    ("ix_urgentalert_contact_id_status", "urgentalert", ["contact_id", "status"]),
    ("ix_urgentalert_status", "urgentalert", ["status"]),
    ("ix_service_request_org_slug_status_due_date", "service_request", ["org_slug", "status", "due_date"]),
    ("ix_complaint_status", "complaint", ["status"]),
    ("ix_privacyrequest_status", "privacyrequest", ["status"]),
    ("ix_privacyrequest_contact_id", "privacyrequest", ["contact_id"]),
    ("ix_volunteer_contact_id", "volunteer", ["contact_id"]),
    ("ix_acknowledgement_contact_id", "acknowledgement", ["contact_id"]),
)


# The open requests in deadline order (the staff board's first page), as partial indexes.
OPEN_SQL = "status IN ('submitted', 'under_study', 'needs_info', 'accepted')"
PARTIAL = (
    ("ix_service_request_open_due", "service_request", ["due_date", "id"]),
    ("ix_service_request_open_org_due", "service_request", ["org_slug", "due_date", "id"]),
)


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)
    for name, table, columns in PARTIAL:
        op.create_index(name, table, columns, sqlite_where=sa.text(OPEN_SQL), postgresql_where=sa.text(OPEN_SQL))


def downgrade() -> None:
    for name, table, _columns in reversed((*INDEXES, *PARTIAL)):
        op.drop_index(name, table_name=table)
