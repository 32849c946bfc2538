"""Replay suites for the hand-off flows (fixtures/scenarios/handoff/*.yaml), with the guards.

A suite is one router over one set of freshly seeded in-memory systems (the sample company's ERP),
under the example policy, so budget and breaker state carry from case to case as they would in
one process. Each case runs one flow from the sending agent's result (`dispute_handoff`,
`bank_change_handoffs`, `purchase_request_handoff`) into the receiver, and is scored on the
hand-off's status, the guard that stopped it, the governance outcome of each action and the ERP
state afterwards (which invoices are blocked for payment) -- so "nothing executed past a guard"
is checked on the system, not only on the router's word. ``faults`` make listed ERP writes fail
(a document locked by another user), as the vendor mocks' fault injection does.

Suite format (keys are validated; unknown keys are errors):

    description: text
    router: {max_depth: 3, budget: 100, error_rate: 0.5, min_volume: 4}
    today: 2026-12-01
    faults: [{operation: hold_invoice, target: INV03}]
    ap_register: {V22: [INV03]}        # invoices AP knows it posted, per vendor
    cases:
      - id: text
        flow: dispute | bank_change | purchase_request
        depth: 1                           # > 1: the hand-off arrives down a chain
        input: {...}                       # per flow, see the three `_run_*` functions
        expect: {status: done, guard: null, outcomes: [executed], on_hold: [INV01]}
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from agents.errors import ScenarioError
from agents.handoff import Handoff, HandoffResult, HandoffRouter
from agents.handoff_flows.bank_change import BankChangeHold, bank_change_handoffs, posted_invoices
from agents.handoff_flows.dispute import DisputeCase, dispute_handoff
from agents.handoff_flows.purchase_request import POFollowUpFromTicket, purchase_request_handoff
from agents.intake.messages import Attachment, Channel, InboundMessage
from agents.intake.outcomes import IntakeOutcome, IntakeResult
from agents.performers import ERPPerformer
from agents.procurement.supplier_master import load_supplier_erp
from agents.procurement.supplier_validation import validate_suppliers
from agents.service_desk.plan import Outcome
from agents.service_desk.results import TicketResult
from connectors.erp.fake import FakeERP
from connectors.erp.models import BankAccount, InvoiceStatus
from connectors.errors import RejectedError
from governance.ledger import Ledger
from governance.policy import Policy
from governance.runtime import Governor
from governance.store import Store

SYSTEM = "sap"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RouterSettings(_Strict):
    max_depth: int = 3
    budget: int = 100
    error_rate: float = 0.5
    min_volume: int = 4


class Fault(_Strict):
    operation: Literal["hold_invoice", "set_purchase_order_status"]
    target: str


class Expect(_Strict):
    status: Literal["done", "escalated"]
    guard: str | None = None
    outcomes: tuple[str, ...] = ()
    on_hold: tuple[str, ...] | None = None
    """Every invoice blocked for payment after the case (the sample's INV05 starts on hold)."""


class Case(_Strict):
    id: str
    flow: Literal["dispute", "bank_change", "purchase_request"]
    depth: int = Field(default=1, ge=1)
    input: dict[str, Any]
    expect: Expect


class Suite(_Strict):
    description: str = ""
    router: RouterSettings = RouterSettings()
    today: date = date(2026, 12, 1)
    faults: tuple[Fault, ...] = ()
    ap_register: dict[str, list[str]] = Field(default_factory=dict)
    cases: tuple[Case, ...] = Field(min_length=1)


def load_suite(path: Path) -> Suite:
    try:
        return Suite.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except (OSError, yaml.YAMLError) as exc:
        raise ScenarioError(f"{path}: cannot read: {exc}") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ScenarioError(f"{path}: {where}: {first['msg']}") from None


def suite_files(path: Path) -> list[Path]:
    return sorted(path.glob("*.yaml")) if path.is_dir() else [path]


class FaultyERP(FakeERP):
    """The sample ERP whose listed writes fail as a locked document does."""

    faults: set[tuple[str, str]]

    @classmethod
    def seeded(cls, faults: set[tuple[str, str]]) -> FaultyERP:
        """The sample company (`connectors.erp.sample_data`) with `faults` ((operation, target) pairs)."""
        from connectors.erp.sample_data import seed_sample

        fake = cls()
        seed_sample(fake)
        fake.faults = faults
        return fake

    def hold_invoice(self, invoice_id: str, reason: str) -> Any:
        if ("hold_invoice", invoice_id) in self.faults:
            raise RejectedError(f"invoice {invoice_id} is locked by another user", vendor="sap")
        return super().hold_invoice(invoice_id, reason)


@dataclasses.dataclass(frozen=True)
class CaseResult:
    id: str
    flow: str
    expected: Expect
    status: str
    guard: str | None
    outcomes: tuple[str, ...]
    on_hold: tuple[str, ...]
    handoffs: int

    @property
    def agrees(self) -> bool:
        e = self.expected
        return (e.status, e.guard, e.outcomes) == (self.status, self.guard, self.outcomes) and (
            e.on_hold is None or tuple(sorted(e.on_hold)) == self.on_hold
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "flow": self.flow,
            "agrees": self.agrees,
            "status": self.status,
            "guard": self.guard,
            "outcomes": list(self.outcomes),
            "on_hold": list(self.on_hold),
            "expected": self.expected.model_dump(),
        }


@dataclasses.dataclass
class SuiteRun:
    """One suite's systems, router and the AP register."""

    suite: Suite
    policy: Policy
    store: Store

    def __post_init__(self) -> None:
        self.erp = FaultyERP.seeded({(f.operation, f.target) for f in self.suite.faults})
        clock = lambda: datetime.combine(self.suite.today, datetime.min.time(), UTC)  # noqa: E731
        self.governor = Governor(self.policy, self.store, {SYSTEM: ERPPerformer(self.erp)}, clock=clock)
        settings = self.suite.router
        self.router = HandoffRouter(
            self.governor,
            max_depth=settings.max_depth,
            budget=settings.budget,
            error_rate=settings.error_rate,
            min_volume=settings.min_volume,
            clock=clock,
        )
        known = posted_invoices(Ledger(self.store))
        register = self.suite.ap_register
        self.bank_change = BankChangeHold(self.erp, SYSTEM, lambda v: [*register.get(v, []), *known(v)])
        self.dispute = DisputeCase(self.erp, SYSTEM)
        self.purchase = POFollowUpFromTicket(self.erp, SYSTEM, lambda: self.suite.today)

    def run(self, case: Case) -> CaseResult:
        handoffs, receiver = self._handoffs(case)
        results: list[HandoffResult] = []
        for handoff in handoffs:
            if case.depth > 1:
                handoff = dataclasses.replace(handoff, depth=case.depth)
            results.append(self.router.hand_off(handoff, receiver))
        escalated = next((r for r in results if r.status == "escalated"), None)
        on_hold = tuple(sorted(i.id for i in self.erp.invoices if i.status is InvoiceStatus.ON_HOLD))
        return CaseResult(
            case.id,
            case.flow,
            case.expect,
            "escalated" if escalated else "done",
            escalated.guard if escalated else None,
            tuple(o.status for r in results for o in r.outcomes),
            on_hold,
            len(results),
        )

    def _handoffs(self, case: Case) -> tuple[Sequence[Handoff], Any]:
        data = case.input
        if case.flow == "dispute":
            message = InboundMessage(
                channel=Channel(data.get("channel", "email")),
                message_id=data.get("message_id", f"<{case.id}@replay>"),
                sender_email=data.get("sender"),
                subject=data.get("subject", ""),
                body=data["body"],
                attachments=tuple(Attachment(**a) for a in data.get("attachments", [])),
                received_at=datetime.combine(self.suite.today, datetime.min.time(), UTC),
            )
            result = IntakeResult(
                message.message_id,
                f"intake-{case.id}",
                IntakeOutcome(data.get("intake_outcome", "routed")),
                data.get("intent", "billing_dispute"),
                0.95,
                case_id=data.get("case_id"),
                account_id=data.get("account_id"),
            )
            handoff = dispute_handoff(result, message)
            return ([handoff] if handoff else []), self.dispute
        if case.flow == "bank_change":
            for vendor, iban in data.get("bank_changes", {}).items():
                self.erp.update_vendor_bank_account(vendor, BankAccount(iban=iban))
            report = validate_suppliers(load_supplier_erp(self.erp), system=SYSTEM)
            return bank_change_handoffs(report, transaction_id=f"suppliers-{case.id}"), self.bank_change
        ticket = TicketResult(
            number=data["ticket"],
            system="servicenow",
            reopen_count=0,
            transaction_id=f"servicenow:{data['ticket']}",
            outcome=Outcome(data.get("outcome", "resolved")),
            category=data.get("category", "procurement_inquiry"),
            confidence=0.9,
            requester=data.get("requester"),
        )
        handoff = purchase_request_handoff(ticket, data["text"])
        return ([handoff] if handoff else []), self.purchase


def replay_suite(suite: Suite, policy: Policy, store: Store | None = None) -> list[CaseResult]:
    run = SuiteRun(suite, policy, store or Store("sqlite://"))
    return [run.run(case) for case in suite.cases]
