"""The outbox remembers whether a send was attempted: `message_out.attempted_at`.

Set just before the network call (the earliest attempt whose outcome is not known yet), cleared when the
outcome is known. A row claimed by a process that died is sent again only when it was never attempted;
an attempted one is first reconciled with the provider (bot/turn/outbox.py).

Revision ID: 0008_outbox
Revises: 0007_reports
Create Date: 2026-11-30
"""
from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0008_outbox"
down_revision = "0007_reports"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("message_out") as batch:
        batch.add_column(sa.Column("attempted_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("message_out") as batch:
        batch.drop_column("attempted_at")
