"""Rewrite every sealed value under the newest data key (storage/sealed.py): plain values written
before sealing are sealed, values under an older key are rotated, and the ID numbers' keyed hashes are
recomputed. Run by the migration that introduced sealing and by `tawasul db rotate-key`.

Works on the raw columns (SQLAlchemy core), in batches, inside the caller's transaction.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Text, column, inspect, select, table, update
from sqlalchemy.engine import Connection

from storage.sealed import id_hash_of, name_hash_of, reseal, reseal_tree, unseal_tree

BATCH = 500
# (table, key column, sealed column, JSON?)
SEALED_COLUMNS = (
    ("service_request", "id", "data", True),
    ("conversation_session", "contact_id", "state", True),
    ("message_in", "id", "text", False),
    ("message_out", "id", "text", False),
)


def reseal_all(conn: Connection) -> dict[str, int]:
    """Rows rewritten per table."""
    counts: dict[str, int] = {}
    # The name hash came with a later migration (0007) than the one that first runs this.
    named = "name_hash" in {c["name"] for c in inspect(conn).get_columns("service_request")}
    for name, key, col_name, is_json in SEALED_COLUMNS:
        cols = [column(key), column(col_name, JSON if is_json else Text)]
        if name == "service_request":
            cols += [column("national_id_hash", Text), *([column("name_hash", Text)] if named else [])]
        tbl = table(name, *cols)
        key_col = tbl.c[key]
        last: Any = None
        counts[name] = 0
        while True:
            query = select(tbl).order_by(key_col).limit(BATCH)
            if last is not None:
                query = query.where(key_col > last)
            rows = conn.execute(query).all()
            if not rows:
                break
            for row in rows:
                value = row._mapping[col_name]
                new = reseal_tree(value) if is_json else reseal(value)
                changes: dict[str, Any] = {}
                if new != value:
                    changes[col_name] = new
                if name == "service_request":
                    digest = id_hash_of(unseal_tree(value))
                    if digest != row._mapping["national_id_hash"]:
                        changes["national_id_hash"] = digest
                    name_digest = name_hash_of(unseal_tree(value)) if named else None
                    if named and name_digest != row._mapping["name_hash"]:
                        changes["name_hash"] = name_digest
                if changes:
                    conn.execute(update(tbl).where(key_col == row._mapping[key]).values(**changes))
                    counts[name] += 1
            last = rows[-1]._mapping[key]
    return counts
