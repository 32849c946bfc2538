"""The hash chain itself, free of any database: record hashing, payload hygiene, verification.

A record's hash is ``SHA-256(prev_hash + body)``, the body being the canonical JSON of its own
fields with the payload as its canonical JSON text. `verify_chain` walks records in order and
names the first that does not fit; `governance.ledger_export_check.verify_export` does the same for
an exported JSONL file, so an auditor needs only these two modules (and `governance.merkle` for
proofs) to re-check a ledger offline.
Payloads are checked on the way in: keys named like secrets are refused.
"""

from __future__ import annotations

import functools
import itertools
import json
import re
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, is_dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from pathlib import PurePath
from typing import Any

from pydantic import BaseModel

# `_normalise_number` is the one definition of a number's canonical spelling; reusing it keeps
# the fast payload path byte-identical to `canonical_json`.
from governance.action import _normalise_number, canonical_json, sha256_hex
from governance.errors import LedgerError

RECORD_KINDS = frozenset(
    {
        "intake",
        "perception",
        "decision",
        "verdict",
        "approval_requested",
        "approval_decided",
        "execution_started",
        "execution_outcome",
        "correction",
        "escalation",
        "handoff",
        "credential_rotated",
        "autonomy_changed",
        "llm_usage",
        "note",
    }
)
GENESIS_HASH = "0" * 64
"""The `prev_hash` of the first record."""
PARTITION_SHIFT = 40
"""A record's ``seq`` is ``partition << PARTITION_SHIFT | position`` (`governance.ledger_partitions`)."""
RECORD_FIELDS = ("seq", "id", "transaction_id", "kind", "agent", "actor", "created_at", "payload")


# --- payload hygiene -------------------------------------------------------------------------

_SECRET_WORDS = frozenset(
    {"password", "passwd", "pwd", "passphrase", "secret", "token", "apikey", "authorization", "cookie"}
)
_SECRET_PAIRS = frozenset({("api", "key"), ("private", "key"), ("access", "key"), ("secret", "key")})


@functools.lru_cache(maxsize=4096)
def is_secret_key(key: str) -> bool:
    """Whether a payload key is named like a credential (``client_secret``, ``apiKey``, ``token``).

    Words are split on separators and camelCase; ``prompt_tokens`` (a count) is not a secret,
    ``access_token`` is.
    """
    words = [w.lower() for w in re.findall(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])", key)]
    if any(word in _SECRET_WORDS for word in words):
        return True
    return any(pair in _SECRET_PAIRS for pair in itertools.pairwise(words))


class _SlowNumber(Exception):
    """A number whose canonical spelling ``json.dumps`` cannot reproduce (take the slow path)."""


def _fast_number(value: int | float | Decimal) -> int | float:
    """`value` as an int or float that ``json.dumps`` spells exactly as `canonical_json` does."""
    if isinstance(value, int):
        return value
    text = _normalise_number(value)
    if "." not in text:
        return int(text)
    number = float(text)
    if repr(number) != text:
        raise _SlowNumber(text)
    return number


_AS_IS = frozenset({str, bool, int})
"""Exact types a payload value keeps as it is (an int is its own canonical spelling)."""


def _plain(value: Any, path: str, fast: bool) -> Any:
    """`value` as JSON-ready data (dates, enums, models converted); refuses secret-named keys.

    With `fast`, numbers are also turned into ints/floats that ``json.dumps`` writes in their
    canonical spelling (or `_SlowNumber` is raised).
    """
    kind = type(value)
    if value is None or kind in _AS_IS:
        return value
    if kind is dict or isinstance(value, Mapping):
        out = {}
        for key, item in value.items():
            name = key if type(key) is str else str(key)
            if is_secret_key(name):
                raise LedgerError(
                    f"ledger payload key {path + name!r} is named like a secret; secrets never enter "
                    "the ledger (record a reference or a fingerprint under another name instead)"
                )
            # strings, booleans, ints and nulls (most values) are taken as they are, inline
            out[name] = item if item is None or type(item) in _AS_IS else _plain(item, f"{path}{name}.", fast)
        return out
    if isinstance(value, bool | str):
        return value
    if isinstance(value, int | float | Decimal):
        return _fast_number(value) if fast else value
    if isinstance(value, list | tuple):
        return [_plain(item, path, fast) for item in value]
    if isinstance(value, set | frozenset):
        return sorted(_plain(item, path, fast) for item in value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return _plain(value.value, path, fast)
    if isinstance(value, uuid.UUID | PurePath):
        return str(value)
    if isinstance(value, BaseModel):
        return _plain(value.model_dump(mode="json"), path, fast)
    if is_dataclass(value) and not isinstance(value, type):
        return _plain(asdict(value), path, fast)
    raise LedgerError(
        f"ledger payload field {path.rstrip('.') or '(root)'!r} has unsupported type {type(value).__name__}"
    )


def payload_json(payload: Mapping[str, Any]) -> str:
    """The canonical JSON text of a payload (`canonical_json`), after the secret check.

    Most payloads take a fast path: ``json.dumps`` with sorted keys and compact separators over
    data whose numbers were put into their canonical spelling; it produces the same text as
    `canonical_json` (a property test pins this) several times faster. Numbers it cannot spell
    canonically send the payload down `canonical_json` itself.
    """
    try:
        try:
            return json.dumps(
                _plain(payload, "", True), sort_keys=True, separators=(",", ":"), ensure_ascii=False
            )
        except _SlowNumber:
            return canonical_json(_plain(payload, "", False))
    except (TypeError, ValueError) as exc:
        raise LedgerError(f"ledger payload cannot be written as canonical JSON: {exc}") from exc


def parse_payload(text: str) -> dict[str, Any]:
    """Payload text back to data; numbers become `Decimal`/`int` so money stays exact."""
    data = json.loads(text, parse_float=Decimal)
    return data if isinstance(data, dict) else {"value": data}


# --- the chain -------------------------------------------------------------------------------


def record_hash(prev_hash: str, fields: Mapping[str, Any]) -> str:
    """``SHA-256(prev_hash + canonical body)``; `fields` hold RECORD_FIELDS, payload as its text.

    The body's values are strings, integers and nulls, for which ``json.dumps`` with sorted keys,
    compact separators and ``ensure_ascii=False`` *is* `canonical_json` (a test pins this); it is
    used because it is several times faster on the append hot path.
    """
    body = {name: fields[name] for name in RECORD_FIELDS}
    if all(value is None or type(value) in (str, int) for value in body.values()):
        text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    else:
        text = canonical_json(body)
    return sha256_hex(prev_hash + text)


@dataclass(frozen=True)
class LedgerRecord:
    seq: int
    id: str
    transaction_id: str
    kind: str
    agent: str | None
    actor: str | None
    created_at: str
    """UTC, ISO 8601 with microseconds."""
    payload_text: str
    """The canonical JSON the hash covers."""
    prev_hash: str
    hash: str
    mac: str | None = None
    """HMAC-SHA256 of `hash` under the ledger MAC key (`governance.ledger_keys`); None on
    records written before records were keyed. Not part of exports: auditors check anchors."""

    @property
    def payload(self) -> dict[str, Any]:
        return parse_payload(self.payload_text)

    def as_dict(self) -> dict[str, Any]:
        """Every field, payload as data: the export and ``--json`` shape."""
        return {
            "seq": self.seq,
            "id": self.id,
            "transaction_id": self.transaction_id,
            "kind": self.kind,
            "agent": self.agent,
            "actor": self.actor,
            "created_at": self.created_at,
            "payload": self.payload,
            "prev_hash": self.prev_hash,
            "hash": self.hash,
        }

    def to_json_line(self, extra: Mapping[str, Any] | None = None) -> str:
        """One JSONL line; the payload is spliced in as its exact canonical text."""
        head = {k: v for k, v in self.as_dict().items() if k != "payload"} | dict(extra or {})
        return json.dumps(head, sort_keys=True)[:-1] + ',"payload":' + self.payload_text + "}"

    @classmethod
    def from_row(cls, row: Mapping[Any, Any]) -> LedgerRecord:
        return cls(
            seq=int(row["seq"]),
            id=row["id"],
            transaction_id=row["transaction_id"],
            kind=row["kind"],
            agent=row["agent"],
            actor=row["actor"],
            created_at=row["created_at"],
            payload_text=row["payload"] if "payload" in row else row["payload_text"],
            prev_hash=row["prev_hash"],
            hash=row["hash"],
            mac=row.get("mac"),
        )

    def chain_fields(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "id": self.id,
            "transaction_id": self.transaction_id,
            "kind": self.kind,
            "agent": self.agent,
            "actor": self.actor,
            "created_at": self.created_at,
            "payload": self.payload_text,
        }


@dataclass(frozen=True)
class ChainHead:
    seq: int
    record_id: str | None
    hash: str


@dataclass(frozen=True)
class BadRecord:
    seq: int
    id: str | None
    problem: str


@dataclass(frozen=True)
class VerifyReport:
    ok: bool
    records_checked: int
    first_bad: BadRecord | None = None
    checkpoints_checked: int = 0
    anchors_checked: int = 0
    anchor_problem: str | None = None
    """Set when the anchor log itself is unusable (bad signature, a removed line, unreadable)."""

    @property
    def message(self) -> str:
        if self.anchor_problem is not None:
            return f"ledger cannot be trusted: {self.anchor_problem}"
        if self.first_bad is None:
            return (
                f"ledger intact: {self.records_checked} records, {self.checkpoints_checked} checkpoints, "
                f"{self.anchors_checked} signed anchors"
            )
        bad = self.first_bad
        return f"ledger broken at seq {bad.seq} (record {bad.id or 'unknown'}): {bad.problem}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "records_checked": self.records_checked,
            "checkpoints_checked": self.checkpoints_checked,
            "anchors_checked": self.anchors_checked,
            "anchor_problem": self.anchor_problem,
            "first_bad": asdict(self.first_bad) if self.first_bad else None,
            "message": self.message,
        }


def _first_problem(record: LedgerRecord, expected_seq: int, prev_hash: str) -> str | None:
    if record.seq != expected_seq:
        return f"seq {record.seq} where {expected_seq} was expected (a record was deleted, inserted or moved)"
    if record.prev_hash != prev_hash:
        return "prev_hash does not match the hash of the record before it (deleted, inserted or reordered)"
    if record.kind not in RECORD_KINDS:
        return f"unknown record kind {record.kind!r}"
    if record_hash(record.prev_hash, record.chain_fields()) != record.hash:
        return "hash does not match the record's content (the record was edited)"
    return None


def verify_chain(
    records: Iterable[LedgerRecord],
    head: ChainHead | None = None,
    *,
    first_seq: int = 1,
    prev_hash: str = GENESIS_HASH,
    check_mac: Callable[[LedgerRecord], str | None] | None = None,
) -> VerifyReport:
    """Walk `records` in order from `first_seq`; the first misfit is named. Pure.

    `check_mac` (when given) judges each record's MAC after its hash was found right.
    """
    checked = 0
    expected, last = first_seq, None
    for record in records:
        problem = _first_problem(record, expected, prev_hash)
        if problem is None and head is not None:
            if record.seq > head.seq:
                problem = f"appended after the chain head (seq {head.seq}) without going through the ledger"
            elif record.seq == head.seq and (record.hash != head.hash or record.id != head.record_id):
                problem = "differs from the last record the chain head remembers"
        if problem is None and check_mac is not None:
            problem = check_mac(record)
        if problem is not None:
            return VerifyReport(False, checked, BadRecord(record.seq, record.id, problem))
        checked += 1
        expected, prev_hash, last = expected + 1, record.hash, record
    if head is not None and (last.seq if last else first_seq - 1) < head.seq:
        return VerifyReport(
            False,
            checked,
            BadRecord(
                head.seq,
                head.record_id,
                f"missing: the chain head ends at seq {head.seq}, the records at seq {expected - 1}",
            ),
        )
    return VerifyReport(True, checked)
