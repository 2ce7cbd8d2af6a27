"""Security review (issue 11): the association an audit row is about (auditlog.org_slug), filled for the
rows already written from their target (a request, complaint or privacy request reference, a handoff
H12, an alert alert:3, a survey survey:2, a staff username, or an association's slug for the lists);
and personal data sealed at rest (storage/sealed.py): existing request data, conversation state and
inbound texts are sealed, and request ID numbers get their keyed hash (service_request.national_id_hash).

Revision ID: 0005_security
Revises: 0004
Create Date: 2026-11-29
"""
from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0005_security"
down_revision = "0004"
branch_labels = None
depends_on = None

# (table, how the audit target names one of its rows); every one of these tables has org_slug.
_TARGETS = (
    ("service_request", "{t}.reference"),
    ("complaint", "{t}.reference"),
    ("privacyrequest", "{t}.reference"),
    ("handoff", "'H' || CAST({t}.id AS VARCHAR)"),
    ("urgentalert", "'alert:' || CAST({t}.id AS VARCHAR)"),
    ("survey", "'survey:' || CAST({t}.id AS VARCHAR)"),
    ("staff", "{t}.username"),
)


def upgrade() -> None:
    with op.batch_alter_table("auditlog") as batch:
        batch.add_column(sa.Column("org_slug", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True))
        batch.create_index("ix_auditlog_org_slug", ["org_slug"])
        batch.create_index("ix_auditlog_target", ["target"])  # sign-in back-off counts by address
    for table, key in _TARGETS:
        op.execute(
            f"UPDATE auditlog SET org_slug = (SELECT {table}.org_slug FROM {table} "
            f"WHERE {key.format(t=table)} = auditlog.target LIMIT 1) WHERE org_slug IS NULL"
        )
    # The lists and profile edits name the association itself.
    op.execute(
        "UPDATE auditlog SET org_slug = target WHERE org_slug IS NULL AND target IN "
        "(SELECT org_slug FROM contact UNION SELECT org_slug FROM orgprofileversion "
        "UNION SELECT org_slug FROM staff WHERE org_slug IS NOT NULL)"
    )


    with op.batch_alter_table("service_request") as batch:
        batch.add_column(sa.Column("national_id_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch.create_index("ix_service_request_national_id_hash", ["national_id_hash"])
    from storage.reseal import reseal_all

    reseal_all(op.get_bind())


def downgrade() -> None:
    with op.batch_alter_table("service_request") as batch:
        batch.drop_index("ix_service_request_national_id_hash")
        batch.drop_column("national_id_hash")
    with op.batch_alter_table("auditlog") as batch:
        batch.drop_index("ix_auditlog_target")
        batch.drop_index("ix_auditlog_org_slug")
        batch.drop_column("org_slug")
