"""Signed anchors: the ledger's checkpoints, written where a database writer cannot reach.

Every checkpoint appends one JSON line to an append-only anchor log outside the database::

    {"format": "opspack-anchor/1", "sequence": 3, "records": 1200, "head_hash": "...",
     "merkle_root": "...", "macs_from": 1, "created_at": "2026-...Z", "prev_entry": "...",
     "frontier": [[1024, "..."], [128, "..."], ...],
     "key_id": "1f2e...", "signature": "<Ed25519, base64url>"}

``records`` is how many ledger records the anchor covers (in partition 0, the single chain of a
ledger with one partition), ``merkle_root`` the RFC 9162 root over
their hashes, ``head_hash`` the hash of the last of them, ``macs_from`` the first record that
carries a MAC (earlier ones were written before records were keyed), ``prev_entry`` the SHA-256 of
the previous line's signed body (so a line removed from the middle of the log shows), ``frontier``
the tree's perfect subtrees (so the next checkpoint only reads what was added since). The
signature covers every other field in canonical form (`signed_body`).

A partitioned ledger (`governance.ledger_partitions`) adds ``"partitions": [{"partition": 1,
"records": ..., "head_hash": ..., "merkle_root": ..., "frontier": [...]}, ...]``: the same state
for every other partition that holds records, under the same signature -- one signed anchor over
all partition heads. The key is left out when empty, so anchors of single-chain ledgers keep their
exact bytes (and old anchor logs keep verifying).

The log is a file (default ``anchors/<database name>.jsonl`` beside a SQLite database, else
``.opspack/anchors/ledger.jsonl``; ``OPSPACK_ANCHOR_DIR`` moves the directory). It is opened in
append mode, written one whole line at a time with fsync, created 0600 in a 0700 directory, and
never rewritten -- so a deployment can ship it line by line to WORM storage (an S3 bucket with
Object Lock, a syslog server, a transparency log) and keep verifying against that copy.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import threading
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy.engine import make_url

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: the in-process lock still applies
    fcntl = None  # type: ignore[assignment]

from governance.errors import LedgerError
from governance.ledger_keys import LedgerKeys
from governance.merkle import frontier_root

ANCHOR_FORMAT = "opspack-anchor/1"
ANCHOR_DIR_ENV = "OPSPACK_ANCHOR_DIR"
DEFAULT_ANCHOR_DIR = Path(".opspack") / "anchors"
FIRST_PREV_ENTRY = "0" * 64


@dataclass(frozen=True)
class PartitionState:
    """What an anchor vouches for in one partition: its record count, last hash, Merkle root."""

    partition: int
    records: int
    head_hash: str
    merkle_root: str
    frontier: list[tuple[int, str]] = field(default_factory=list)

    @classmethod
    def from_data(cls, data: Any) -> PartitionState:
        if not isinstance(data, dict) or set(data) != {f.name for f in fields(cls)}:
            raise ValueError("a partition state needs partition, records, head_hash, merkle_root, frontier")
        state = cls(**{**data, "frontier": _frontier(data["frontier"])})
        if not (type(state.partition) is int and state.partition >= 1 and type(state.records) is int) or not (
            isinstance(state.head_hash, str) and isinstance(state.merkle_root, str)
        ):
            raise ValueError("wrong partition state field types")
        return state


def _frontier(frontier: Any) -> list[tuple[int, str]]:
    if not isinstance(frontier, list) or not all(
        isinstance(p, list | tuple) and len(p) == 2 and type(p[0]) is int and isinstance(p[1], str)
        for p in frontier
    ):
        raise ValueError("frontier must be a list of [size, root] pairs")
    return [(int(size), str(root)) for size, root in frontier]


@dataclass(frozen=True)
class AnchorEntry:
    """One signed checkpoint, as written to the anchor log."""

    sequence: int
    records: int
    head_hash: str
    merkle_root: str
    macs_from: int | None
    created_at: str
    prev_entry: str
    frontier: list[tuple[int, str]] = field(default_factory=list)
    """The Merkle tree's perfect subtrees (size, root), so the next checkpoint extends it from
    the records added since instead of re-reading the whole ledger (`merkle.extend_frontier`)."""
    key_id: str = ""
    signature: str = ""
    format: str = ANCHOR_FORMAT
    partitions: list[PartitionState] = field(default_factory=list)
    """Partitions 1.. that hold records (partition 0 is the fields above), by partition."""

    def data(self) -> dict[str, Any]:
        """Every field as JSON data; ``partitions`` only when there are any."""
        body = asdict(self)
        if not self.partitions:
            del body["partitions"]
        return body

    def signed_body(self) -> bytes:
        """The canonical bytes the signature covers: every field but the signature."""
        body = {k: v for k, v in self.data().items() if k != "signature"}
        return json.dumps(body, sort_keys=True, separators=(",", ":")).encode("utf-8")

    def state(self, partition: int) -> PartitionState | None:
        """What this anchor vouches for in `partition` (None: nothing yet)."""
        if partition == 0:
            return PartitionState(0, self.records, self.head_hash, self.merkle_root, self.frontier)
        return next((p for p in self.partitions if p.partition == partition), None)

    def states(self) -> list[PartitionState]:
        """Every partition's anchored state, partition 0 first."""
        zero = self.state(0)
        assert zero is not None
        return [zero, *self.partitions]

    def entry_hash(self) -> str:
        """What the next entry's ``prev_entry`` holds: SHA-256 over this entry, signature included."""
        return hashlib.sha256(self.signed_body() + b"." + self.signature.encode("ascii")).hexdigest()

    def signed(self, keys: LedgerKeys) -> AnchorEntry:
        unsigned = dataclasses.replace(self, key_id=keys.key_id, signature="")
        kid, signature = keys.sign(unsigned.signed_body())
        return dataclasses.replace(unsigned, key_id=kid, signature=signature)

    def to_line(self) -> str:
        return json.dumps(self.data(), sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_line(cls, line: str, number: int) -> AnchorEntry:
        try:
            data = json.loads(line)
            if not isinstance(data, dict) or data.get("format") != ANCHOR_FORMAT:
                raise ValueError(f"not an {ANCHOR_FORMAT} entry")
            names = {f.name for f in fields(cls)}
            if set(data) | {"partitions"} != names:
                raise ValueError(
                    f"fields {sorted((set(data) | {'partitions'}) ^ names)} missing or unexpected"
                )
            data["frontier"] = _frontier(data.get("frontier"))
            if "partitions" in data:
                if not isinstance(data["partitions"], list) or not data["partitions"]:
                    raise ValueError("partitions must be a non-empty list when present")
                data["partitions"] = [PartitionState.from_data(p) for p in data["partitions"]]
            entry = cls(**data)
            ints = (entry.sequence, entry.records) + (
                (entry.macs_from,) if entry.macs_from is not None else ()
            )
            if not all(type(v) is int for v in ints) or not all(
                isinstance(v, str) for v in (entry.head_hash, entry.merkle_root, entry.signature)
            ):
                raise ValueError("wrong field types")
        except (ValueError, TypeError) as exc:
            raise LedgerError(f"anchor log line {number} is malformed: {exc}") from None
        return entry


def check_anchor_log(entries: list[AnchorEntry], keys: LedgerKeys) -> str | None:
    """The first problem with the log itself (signature, order, a removed line), or None."""
    previous: AnchorEntry | None = None
    for entry in entries:
        name = f"anchor {entry.sequence}"
        if not keys.trusted:
            return f"{name} cannot be checked: no trusted anchor public key is available"
        if not keys.signature_valid(entry.signed_body(), entry.key_id, entry.signature):
            return f"{name} has no valid signature by a trusted key (key id {entry.key_id!r})"
        expected = 1 if previous is None else previous.sequence + 1
        if entry.sequence != expected:
            return f"{name} where anchor {expected} was expected (an anchor line was removed or reordered)"
        if entry.prev_entry != (FIRST_PREV_ENTRY if previous is None else previous.entry_hash()):
            return f"{name} does not follow the anchor before it (prev_entry differs)"
        numbers = [state.partition for state in entry.states()]
        if numbers != sorted(set(numbers)):
            return f"{name} lists its partitions out of order or twice"
        for state in entry.states():
            where = f" in partition {state.partition}" if state.partition else ""
            if sum(size for size, _ in state.frontier) != state.records or (
                frontier_root(state.frontier) != state.merkle_root
            ):
                return f"{name}'s frontier{where} does not add up to its record count and Merkle root"
            before = previous.state(state.partition) if previous is not None else None
            if before is not None and state.records < before.records:
                return f"{name} covers {state.records} records{where}, fewer than anchor {previous.sequence}"  # type: ignore[union-attr]
        if previous is not None and any(entry.state(p.partition) is None for p in previous.partitions):
            return f"{name} drops a partition anchor {previous.sequence} vouched for"
        previous = entry
    return None


class AnchorLog(Protocol):
    """Where anchors go: append one entry, read them all, and a lock for read-then-append."""

    def entries(self) -> list[AnchorEntry]: ...

    def append(self, entry: AnchorEntry) -> None: ...

    def locked(self) -> contextlib.AbstractContextManager[None]: ...

    def describe(self) -> str: ...


class FileAnchorLog:
    """Anchors as JSON lines in one append-only file (0600, directory 0700)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()

    def entries(self) -> list[AnchorEntry]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        except (OSError, UnicodeDecodeError) as exc:
            raise LedgerError(f"cannot read the anchor log {self.path}: {exc}") from None
        return [AnchorEntry.from_line(line, n) for n, line in enumerate(text.splitlines(), 1) if line.strip()]

    def append(self, entry: AnchorEntry) -> None:
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, (entry.to_line() + "\n").encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Exclusive across threads and (POSIX) processes, on a sibling ``.lock`` file."""
        with self._lock:
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd = os.open(self.path.with_name(self.path.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
            try:
                if fcntl is not None:
                    fcntl.flock(fd, fcntl.LOCK_EX)
                yield
            finally:
                os.close(fd)

    def describe(self) -> str:
        return f"anchor log {self.path}"


class MemoryAnchorLog:
    """Anchors kept in memory: for in-memory databases and tests (gone with the process)."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self._lock = threading.Lock()

    def entries(self) -> list[AnchorEntry]:
        return [AnchorEntry.from_line(line, n) for n, line in enumerate(self.lines, 1)]

    def append(self, entry: AnchorEntry) -> None:
        self.lines.append(entry.to_line())

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        with self._lock:
            yield

    def describe(self) -> str:
        return "in-memory anchor log"


def default_anchor_log(database_url: str, environ: dict[str, str] | None = None) -> AnchorLog:
    """The anchor log for a database: ``$OPSPACK_ANCHOR_DIR`` or beside the SQLite file, else
    ``.opspack/anchors``; an in-memory database gets an in-memory log."""
    env: Any = environ if environ is not None else os.environ
    url = make_url(database_url)
    sqlite_file = url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:")
    if url.get_backend_name() == "sqlite" and not sqlite_file:
        return MemoryAnchorLog()
    name = Path(str(url.database)).stem if sqlite_file else "ledger"
    if env.get(ANCHOR_DIR_ENV):
        return FileAnchorLog(Path(env[ANCHOR_DIR_ENV]) / f"{name}.jsonl")
    base = Path(str(url.database)).parent / "anchors" if sqlite_file else DEFAULT_ANCHOR_DIR
    return FileAnchorLog(base / f"{name}.jsonl")


def retire_anchor_log(database_url: str) -> Path | None:
    """Rename the database's anchor log aside (``<name>.retired-<UTC time>.jsonl``) when a ledger
    is deliberately started afresh; returns the new name, or None when there was no log."""
    log = default_anchor_log(database_url)
    if not isinstance(log, FileAnchorLog) or not log.path.exists():
        return None
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    retired = log.path.with_name(f"{log.path.stem}.retired-{stamp}.jsonl")
    log.path.rename(retired)
    return retired
