"""`opspack demo`: the example actions through gate, approvals, executor and ledger -- a real run.

Nothing here is printed from a script: each action in ``fixtures/demo/actions.yaml`` is judged by
the gate under the example policy, executed exactly once against the in-memory connector fakes
(seeded with the sample company), held in the durable approval queue or denied; one held action
is then approved by a named approver after a refused attempt by someone not entitled to, a
replay is refused as a duplicate, and the hash-chained ledger is verified. The database is fresh
on every run so the demo tells the same story each time.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError
from rich.console import Console
from rich.table import Table

from agents.performers import DirectoryPerformer, ERPPerformer, ITSMPerformer
from connectors.directory.fake import FakeDirectory
from connectors.erp.fake import FakeERP
from connectors.itsm.fake import FakeITSM
from governance import approvals
from governance.action import Action
from governance.errors import ApprovalError, PolicyError
from governance.executor import ActionPerformer
from governance.ledger import Ledger, utc_now
from governance.policy import load_policy
from governance.runtime import Governor, Outcome
from governance.store import Store, reset_sqlite_database
from opspack.agent_runs.intake import run_intake_section
from opspack.demo.ap import run_ap_section
from opspack.demo.handoff import run_handoff_section
from opspack.demo.service_desk import run_service_desk_section
from opspack.settings import DEFAULT_CONNECTIONS_PATH, FIXTURES_DIR, policy_path
from opspack.wiring import Wiring

DEMO_ACTIONS = FIXTURES_DIR / "demo" / "actions.yaml"
STATUS_STYLE = {
    "executed": "green",
    "held": "yellow",
    "shadowed": "cyan",
    "denied": "red",
    "duplicate": "magenta",
    "failed": "red",
    "unknown": "red",
}


class DemoEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    transaction: str
    title: str
    action: Action


def load_demo_actions(path: Path = DEMO_ACTIONS) -> list[DemoEntry]:
    """Read and validate the demo's actions; a malformed file is a `PolicyError`-style one-liner."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise PolicyError(f"{path}: cannot read demo actions: {exc}") from None
    if not isinstance(data, list):
        raise PolicyError(f"{path}: expected a list of transactions")
    entries = []
    for index, item in enumerate(data):
        try:
            entries.append(DemoEntry.model_validate(item))
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(part) for part in first["loc"])
            raise PolicyError(f"{path}: [{index}].{where}: {first['msg']}") from None
    return entries


@dataclass
class DemoSystems:
    """The in-memory systems behind the demo's connections, and their performers."""

    erp: FakeERP
    directory: FakeDirectory
    itsm: FakeITSM

    @classmethod
    def sample(cls) -> DemoSystems:
        return cls(erp=FakeERP.sample(), directory=FakeDirectory.sample(), itsm=FakeITSM())

    def performers(self) -> dict[str, ActionPerformer]:
        return {
            "sap": ERPPerformer(self.erp),
            "okta": DirectoryPerformer(self.directory),
            "servicenow": ITSMPerformer(self.itsm),
        }


def _fresh_store(workdir: Path) -> Store:
    workdir.mkdir(parents=True, exist_ok=True)
    return Store(reset_sqlite_database(workdir / "opspack.db"))  # old anchors are set aside, not lost


def _submit_all(governor: Governor, entries: list[DemoEntry]) -> list[tuple[DemoEntry, Outcome]]:
    results = []
    for entry in entries:
        action = entry.action
        governor.ledger.append(
            entry.transaction,
            "intake",
            {"title": entry.title, "source": str(DEMO_ACTIONS.name), "business_key": action.business_key},
            agent=action.agent,
        )
        governor.ledger.append(
            entry.transaction,
            "decision",
            {
                "rule": "demo.fixture",
                "rationale": entry.title,
                "proposed": {"operation": action.operation, "target": action.target},
                "action_digest": action.digest_for(governor.policy.version),
            },
            agent=action.agent,
        )
        results.append((entry, governor.submit(action, transaction_id=entry.transaction)))
    return results


def _verdict_table(results: list[tuple[DemoEntry, Outcome]]) -> Table:
    table = Table(title="verdicts and outcomes", title_justify="left")
    for name in (
        "transaction",
        "agent",
        "operation → system",
        "amount",
        "outcome",
        "reasons",
        "document / approval",
    ):
        table.add_column(name, overflow="fold")
    for entry, outcome in results:
        action = entry.action
        amount = f"{action.amount} {action.currency}" if action.amount is not None else ""
        style = STATUS_STYLE.get(outcome.status, "white")
        table.add_row(
            entry.transaction,
            action.agent,
            f"{action.operation} → {action.system}",
            amount,
            f"[{style}]{outcome.status}[/]",
            ", ".join(reason.code.value for reason in outcome.reasons),
            outcome.document_id or outcome.approval_id or "",
        )
    return table


def _approval_round(governor: Governor, held: Outcome, out: Console | None) -> dict[str, Any]:
    """A refused approval by someone not entitled, then a valid one that executes."""
    assert held.approval_id is not None
    round_: dict[str, Any] = {"approval_id": held.approval_id}
    try:
        governor.approve(held.approval_id, "carol", "looks fine to me")
        round_["unauthorised_attempt"] = "accepted (unexpected)"
    except ApprovalError as exc:
        round_["unauthorised_attempt"] = f"refused: {exc}"
    outcome = governor.approve(held.approval_id, "alice", "vendor statement and PO checked")
    round_["approved_by"] = "alice"
    round_["outcome"] = outcome.status
    round_["document_id"] = outcome.document_id
    if out is not None:
        out.print(
            f"  carol tries to approve {held.approval_id[:8]}: [red]{round_['unauthorised_attempt']}[/]"
        )
        out.print(
            f"  alice approves {held.approval_id[:8]}: re-judged on current state → "
            f"[green]{outcome.status}[/] (document {outcome.document_id})"
        )
    return round_


def run_demo(workdir: Path, *, console: Console | None) -> dict[str, Any]:
    """Run the demo and return a summary (also printed when `console` is given)."""
    out = console
    policy = load_policy(policy_path())
    store = _fresh_store(workdir)
    systems = DemoSystems.sample()
    # The same wiring as every command: the example connections file, every vendor a *.mock host
    # in-process; the walkthrough's own actions run against the in-memory systems above.
    wiring = Wiring.load(connections=DEFAULT_CONNECTIONS_PATH, policy=policy, store=store)
    governor = wiring.governor(systems.performers())
    entries = load_demo_actions()
    if out is not None:
        out.rule("[bold]opspack demo[/] — governed actions against in-memory systems")
        out.print(f"policy {policy_path()} version [bold]{policy.version[:16]}[/] ({policy.version_label})")
        out.print(f"database {store.redacted_url}\n")
    results = _submit_all(governor, entries)
    if out is not None:
        out.print(_verdict_table(results))
    held = [outcome for _, outcome in results if outcome.status == "held"]
    payment_hold = next(
        (o for (e, o) in results if o.status == "held" and e.action.operation == "erp.schedule_payment"), None
    )
    if out is not None:
        out.rule("approvals")
    round_ = _approval_round(governor, payment_hold, out) if payment_hold else {}
    pending = approvals.list_requests(store, status="pending", now=utc_now())
    if out is not None:
        for request in pending:
            route = request.verdict.route.queue if request.verdict.route else "-"
            out.print(
                f"  still pending: {request.id[:8]} {request.agent} {request.action.operation} "
                f"{request.action.target} → queue {route}, expires {request.expires_at:%Y-%m-%d %H:%M} UTC"
            )
    ap_summary = run_ap_section(wiring, workdir, out)
    intake_summary = run_intake_section(wiring, out, crm="salesforce", erp="sap")
    service_desk_summary = run_service_desk_section(policy, store, out, connections=DEFAULT_CONNECTIONS_PATH)
    handoff_summary = run_handoff_section(wiring, out)  # after AP: reuses its SAP mock and ledger
    ledger = Ledger(store)
    ledger.checkpoint()  # a Merkle root over everything so far: what an auditor proves records against
    report = ledger.verify()
    timeline_txn = results[2][0].transaction if len(results) > 2 else results[0][0].transaction
    timeline = [(r.seq, r.kind, r.actor or r.agent or "") for r in ledger.timeline(timeline_txn)]
    if out is not None:
        out.rule("audit")
        style = "green" if report.ok else "red"
        out.print(f"  audit verify: [{style}]{report.message}[/]")
        out.print(f"  timeline of {timeline_txn}:")
        for seq, kind, who in timeline:
            out.print(f"    #{seq:<4} {kind:<20} {who}")
        out.print(
            f"\n  payments in the walkthrough's in-memory ERP: {len(systems.erp.payments)}; "
            f"try `opspack audit show {timeline_txn}` or `opspack approvals list` "
            f"with OPSPACK_DATABASE_URL=sqlite:///{workdir / 'opspack.db'}"
        )
    return {
        "policy_version": policy.version,
        "database": store.redacted_url,
        "results": [{"transaction": e.transaction, "title": e.title, **o.as_dict()} for e, o in results],
        "approval_round": round_,
        "ap": ap_summary,
        "intake": intake_summary,
        "service_desk": service_desk_summary,
        "handoff": handoff_summary,
        "pending_approvals": [request.id for request in pending],
        "held": len(held),
        "audit": report.as_dict(),
        "timeline": [{"seq": s, "kind": k, "who": w} for s, k, w in timeline],
    }
