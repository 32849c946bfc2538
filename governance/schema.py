"""Every table governance keeps, declared once on one `metadata`.

`governance.store.Store` creates them all when it opens a database, so a fresh database needs no
migration step (`add_missing_columns` adds nullable columns declared since). The modules that read
and write a table import it from here; nothing here imports them, so the schema sits at the bottom
of governance's import graph.

- ledger: ``ledger_records``, ``ledger_head`` (one row per partition), ``ledger_checkpoints``;
- execution: ``executions`` (one row per business key: the idempotency claim and its outcome)
  and ``aggregate_buckets`` (what those rows add up to per calendar window, kept in the same
  commits, so an aggregate limit reads a handful of rows whatever the window's volume);
- approvals: ``approvals``, ``approver_store``;
- operations: ``agent_kill_switches``, ``agent_credentials``;
- the service desk's queue state: ``service_desk_tickets``.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, Decimal

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

_SEQ = BigInteger().with_variant(Integer(), "sqlite")
_MICROS = BigInteger().with_variant(Integer(), "sqlite")
MICROS = Decimal(1_000_000)
"""Amounts are summed by the database in millionths (``amount_micros``), exactly."""


def to_micros(amount: Decimal | None) -> int | None:
    """Millionths of the amount, rounded up (a limit check can only become stricter)."""
    return None if amount is None else int((amount * MICROS).to_integral_value(rounding=ROUND_CEILING))


# --- ledger --------------------------------------------------------------------------------------

ledger_records = Table(
    "ledger_records",
    metadata,
    Column("seq", _SEQ, primary_key=True, autoincrement=False),
    Column("id", String(36), nullable=False, unique=True),
    Column("transaction_id", String(200), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("agent", String(200)),
    Column("actor", String(200)),
    Column("created_at", String(40), nullable=False),
    Column("payload", Text, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    Column("mac", String(64)),
    Index("ix_ledger_records_transaction", "transaction_id", "seq"),
    Index("ix_ledger_records_kind_agent", "kind", "agent"),
)

ledger_head = Table(
    "ledger_head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("seq", _SEQ, nullable=False),
    Column("record_id", String(36)),
    Column("hash", String(64), nullable=False),
)
"""One row per partition (`governance.ledger_partitions`): row ``id`` is the partition + 1."""

ledger_checkpoints = Table(
    "ledger_checkpoints",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("size", _SEQ, nullable=False),
    Column("root", String(64), nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("partition", Integer),
)
"""Merkle checkpoints over one partition's records (``partition`` NULL: partition 0, as written
before partitions existed); ``size`` counts that partition's records."""

# --- execution -----------------------------------------------------------------------------------

executions = Table(
    "executions",
    metadata,
    Column("idempotency_key", String(64), primary_key=True),
    Column("business_key", String(500), nullable=False),
    Column("transaction_id", String(200), nullable=False),
    Column("agent", String(200), nullable=False),
    Column("system", String(100), nullable=False),
    Column("operation", String(100), nullable=False),
    Column("action_digest", String(64), nullable=False),
    Column("target", String(500)),
    Column("counterparty", String(500)),
    Column("requested_by", String(200)),
    Column("amount", String(60)),
    # The amount in millionths, rounded up: summed exactly by the database for aggregate limits.
    Column("amount_micros", _MICROS),
    Column("currency", String(3)),
    Column("status", String(20), nullable=False),
    Column("document_id", String(500)),
    Column("message", Text),
    Column("attempts", Integer, nullable=False),
    Column("owner", String(300), nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("updated_at", String(40), nullable=False),
    # Aggregate limits read windows per agent, per counterparty and per target.
    Index("ix_executions_agent_window", "agent", "created_at", "status"),
    Index("ix_executions_counterparty_window", "counterparty", "agent", "created_at"),
    Index("ix_executions_target_window", "target", "agent", "created_at"),
)

aggregate_buckets = Table(
    "aggregate_buckets",
    metadata,
    Column("agent", String(200), primary_key=True),
    Column("per", String(20), primary_key=True),
    Column("per_value", String(500), primary_key=True),
    Column("period", String(10), primary_key=True),
    Column("window_start", String(40), primary_key=True),
    Column("operation", String(100), primary_key=True),
    Column("currency", String(3), primary_key=True),
    Column("count", _MICROS, nullable=False),
    Column("amount_micros", _MICROS, nullable=False),
    sqlite_with_rowid=False,  # the key is the row: one b-tree to change per upsert, not two
)
"""Counted executions (status started, succeeded or unknown) per agent, per bucket (``per`` is
``agent``, ``counterparty`` or ``target``; ``per_value`` its canonical key), per calendar window
(``period`` hour, day or month starting at ``window_start``), per operation and currency (``""``
for none): their number and amount. Maintained by `governance.aggregate_buckets` in the commits
that change ``executions``; read by `governance.context.running_totals`."""

# --- approvals -----------------------------------------------------------------------------------

approvals = Table(
    "approvals",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("transaction_id", String(200), nullable=False),
    Column("agent", String(200), nullable=False),
    Column("requested_by", String(200)),
    Column("operation", String(100), nullable=False),
    Column("counterparty", String(500)),
    Column("action", Text, nullable=False),
    Column("action_digest", String(64), nullable=False),
    Column("policy_version", String(64), nullable=False),
    Column("verdict", Text, nullable=False),
    Column("status", String(20), nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("expires_at", String(40), nullable=False),
    Column("decided_by", String(200)),
    Column("decided_at", String(40)),
    Column("decision_reason", Text),
    Column("used_at", String(40)),
    Index("ix_approvals_digest", "action_digest", "policy_version"),
    Index("ix_approvals_agent_status", "agent", "status"),
)

approver_store_table = Table(
    "approver_store",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("location", String(4096), nullable=False),
    Column("registered_by", String(200), nullable=False),
    Column("registered_at", String(40), nullable=False),
)
"""Where the approver records live (`governance.approver_auth`), pinned by an admin."""

# --- operations ----------------------------------------------------------------------------------

agent_kill_switches = Table(
    "agent_kill_switches",
    metadata,
    Column("agent", String(200), primary_key=True),
    Column("engaged", Boolean, nullable=False),
    Column("changed_by", String(200), nullable=False),
    Column("changed_at", String(40), nullable=False),
    Column("reason", Text, nullable=False),
)

credentials_table = Table(
    "agent_credentials",
    metadata,
    Column("agent", String(128), primary_key=True),
    Column("system", String(128), primary_key=True),
    Column("credential", String(128), primary_key=True),
    Column("secret_path", String(512), nullable=False),
    Column("first_seen_at", DateTime(timezone=True), nullable=False),
    Column("rotated_at", DateTime(timezone=True), nullable=True),
    Column("rotated_by", String(256), nullable=True),
    Column("fingerprint", String(64), nullable=False),
)
"""Credential *metadata* per (agent, system, credential) (`governance.identity`); never a secret."""

# --- the service desk's queue state --------------------------------------------------------------

service_desk_tickets = Table(
    "service_desk_tickets",
    metadata,
    Column("system", String(100), primary_key=True),
    Column("number", String(100), primary_key=True),
    Column("reopen_count", Integer, primary_key=True),
    Column("transaction_id", String(300), nullable=False),
    Column("status", String(30), nullable=False),
    Column("plan", Text),
    Column("attempts", Integer, nullable=False),
    Column("approval_id", String(100)),
    Column("closing", Text),
    Column("reasons", Text, nullable=False),
    Column("sla_due_at", String(40)),
    Column("created_at", String(40), nullable=False),
    Column("updated_at", String(40), nullable=False),
    Column("finished_at", String(40)),
)
"""Which tickets the service desk agent has handled (`agents.service_desk.queue_state`)."""

# --- the runtime's source cursors ----------------------------------------------------------------

runtime_cursors = Table(
    "runtime_cursors",
    metadata,
    Column("source", String(200), primary_key=True),
    Column("cursor", Text),
    Column("updated_at", String(40), nullable=False),
)
"""Each intake source's cursor (`opspack.runtime.cursors`): a restart resumes where the last batch ended."""
