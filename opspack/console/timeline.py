"""One transaction's story from the ledger, with each record's integrity checked, and search.

Each shown record is checked three ways: its hash recomputes from its content, its ``prev_hash``
equals the hash of the record before it in the chain, and whether a Merkle checkpoint covers it.
That proves the shown records were not edited and sit where they were written; the full-chain
check (`Ledger.verify`, the Audit page) also finds deletions elsewhere.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, or_, select

from governance.ledger import GENESIS_HASH, LedgerRecord, ledger_checkpoints, ledger_records, record_hash
from governance.ledger_partitions import partition_of_seq, position_of
from governance.store import Store

SEARCH_LIMIT = 50
_KEYED_KINDS = ("verdict", "execution_started", "execution_outcome")


@dataclass(frozen=True)
class RecordCheck:
    hash_ok: bool
    link_ok: bool
    checkpointed: bool

    @property
    def ok(self) -> bool:
        return self.hash_ok and self.link_ok


@dataclass
class TransactionHit:
    transaction_id: str
    agent: str | None
    last_at: str
    business_keys: set[str] = field(default_factory=set)


def check_records(store: Store, records: list[LedgerRecord]) -> dict[int, RecordCheck]:
    """Integrity of each record by its seq (see the module docstring)."""
    before = sorted({record.seq - 1 for record in records if position_of(record.seq) > 1})
    with store.connect() as connection:
        hashes: dict[int, str] = {}
        for start in range(0, len(before), 500):
            rows = connection.execute(
                select(ledger_records.c.seq, ledger_records.c.hash).where(
                    ledger_records.c.seq.in_(before[start : start + 500])
                )
            )
            hashes.update({int(row.seq): row.hash for row in rows})
        covered = {  # the largest checkpoint of each partition (NULL: partition 0)
            int(row[0] or 0): int(row[1] or 0)
            for row in connection.execute(
                select(ledger_checkpoints.c.partition, func.max(ledger_checkpoints.c.size)).group_by(
                    ledger_checkpoints.c.partition
                )
            )
        }
    checks = {}
    for record in records:
        expected_prev = GENESIS_HASH if position_of(record.seq) == 1 else hashes.get(record.seq - 1)
        checks[record.seq] = RecordCheck(
            hash_ok=record_hash(record.prev_hash, record.chain_fields()) == record.hash,
            link_ok=expected_prev is not None and record.prev_hash == expected_prev,
            checkpointed=position_of(record.seq) <= covered.get(partition_of_seq(record.seq), 0),
        )
    return checks


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _business_key(kind: str, payload: dict[str, Any]) -> str | None:
    if kind == "verdict":
        action = payload.get("action")
        key = action.get("business_key") if isinstance(action, dict) else None
    else:
        key = payload.get("business_key")
    return key if isinstance(key, str) else None


def search(store: Store, text: str) -> list[TransactionHit]:
    """Transactions whose business key contains `text` (any case), or whose id starts with it."""
    query = text.strip()
    if not query:
        return []
    escaped = _escape_like(json.dumps(query, ensure_ascii=False)[1:-1])
    statement = (
        select(
            ledger_records.c.transaction_id,
            ledger_records.c.kind,
            ledger_records.c.agent,
            ledger_records.c.created_at,
            ledger_records.c.payload,
        )
        .where(
            or_(
                ledger_records.c.transaction_id.ilike(f"{escaped}%", escape="\\"),
                ledger_records.c.kind.in_(_KEYED_KINDS)
                & ledger_records.c.payload.ilike(f'%"business_key":"%{escaped}%', escape="\\"),
            )
        )
        .order_by(ledger_records.c.seq.desc())
        .limit(2000)
    )
    hits: dict[str, TransactionHit] = {}
    folded = query.casefold()
    with store.connect() as connection:
        for row in connection.execute(statement):
            key = _business_key(row.kind, json.loads(row.payload)) if row.kind in _KEYED_KINDS else None
            by_key = key is not None and folded in key.casefold()
            if not by_key and not row.transaction_id.casefold().startswith(folded):
                continue
            hit = hits.get(row.transaction_id)
            if hit is None:
                if len(hits) >= SEARCH_LIMIT:
                    continue
                hit = hits[row.transaction_id] = TransactionHit(row.transaction_id, row.agent, row.created_at)
            if by_key and key is not None:
                hit.business_keys.add(key)
    return list(hits.values())


def summary(record: LedgerRecord) -> str:
    """One line that says what the record is about."""
    payload = record.payload
    kind = record.kind
    if kind == "verdict":
        action = payload.get("action") or {}
        codes = ", ".join(reason.get("code", "") for reason in payload.get("reasons", []))
        return f"{payload.get('decision')} {action.get('operation', '')} ({codes})"
    if kind == "approval_requested":
        return f"approval {payload.get('approval_id')} requested; expires {payload.get('expires_at')}"
    if kind == "approval_decided":
        who = payload.get("approver") or record.actor or ""
        return f"{payload.get('decision')} by {who}: {payload.get('reason', '')}".strip()
    if kind in ("execution_started", "execution_outcome"):
        document = payload.get("document_id")
        return f"{payload.get('status', 'started')} {payload.get('operation', '')}" + (
            f" → document {document}" if document else ""
        )
    if kind == "decision":
        return f"{payload.get('outcome', '')} by rule {payload.get('rule', '')}".strip()
    if kind == "escalation":
        route = payload.get("route") or {}
        return f"escalated to {route.get('queue', '?')}: {', '.join(map(str, payload.get('reasons', [])))}"
    if kind == "note":
        return str(payload.get("event", "note"))
    if kind == "intake":
        return str(payload.get("source", ""))
    return ", ".join(sorted(payload)[:6])
