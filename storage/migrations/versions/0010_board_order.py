"""The staff board's unresolved complaints and open handoffs in the order it lists them (oldest first), as
partial indexes: a page is read in order and cut, instead of every open row being sorted for 50 of them.

Revision ID: 0010_board_order
Revises: 0009_workspace
Create Date: 2026-11-30
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_board_order"
down_revision = "0009_workspace"
branch_labels = None
depends_on = None

# (name, table, columns, condition): kept in step with storage/models.py (`__table_args__`).
PARTIAL = (
    ("ix_complaint_unresolved_filed", "complaint", ["created_at", "id"], "status != 'resolved'"),
    ("ix_handoff_open_opened", "handoff", ["opened_at", "id"], "status = 'open'"),
)


def upgrade() -> None:
    for name, table, columns, condition in PARTIAL:
        op.create_index(name, table, columns, sqlite_where=sa.text(condition), postgresql_where=sa.text(condition))


def downgrade() -> None:
    for name, table, _columns, _condition in reversed(PARTIAL):
        op.drop_index(name, table_name=table)
