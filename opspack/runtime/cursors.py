"""Each source's cursor, kept in the store (`runtime_cursors`), so a restart resumes where the
last batch ended and a second process reads the same position."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Column, String, Table, Text, insert, select, update

from governance.store import Store, create_table, metadata

runtime_cursors = Table(
    "runtime_cursors",
    metadata,
    Column("source", String(200), primary_key=True),
    Column("cursor", Text),
    Column("updated_at", String(40), nullable=False),
)


class CursorStore:
    def __init__(self, store: Store) -> None:
        self.store = store
        create_table(store.engine, runtime_cursors)

    def get(self, source: str) -> str | None:
        with self.store.connect() as conn:
            row = conn.execute(
                select(runtime_cursors.c.cursor).where(runtime_cursors.c.source == source)
            ).first()
        return None if row is None else row[0]

    def set(self, source: str, cursor: str | None) -> None:
        now = datetime.now(UTC).isoformat()
        with self.store.begin() as conn:
            changed = conn.execute(
                update(runtime_cursors)
                .where(runtime_cursors.c.source == source)
                .values(cursor=cursor, updated_at=now)
            ).rowcount
            if not changed:
                conn.execute(insert(runtime_cursors).values(source=source, cursor=cursor, updated_at=now))
