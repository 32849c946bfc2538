"""Each source's cursor, kept in the store (`runtime_cursors`), so a restart resumes where the
last batch ended and a second process reads the same position."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import insert, select, update

from governance.schema import runtime_cursors
from governance.store import Store


class CursorStore:
    def __init__(self, store: Store) -> None:
        self.store = store  # the table is created with every other one when the store opens

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
