"""`APAgent`: intake -> perceive -> decide -> govern -> record, for one invoice at a time.

The agent is an `agents.core.Agent`: it reads the invoice (`perceive`) and matches it into an
`APPlan` (`decide`); `agents.core.run` does the rest. Every step lands in the ledger under the
invoice's transaction id. The decision record carries the plan (the exact actions), so
processing the same transaction again -- after a crash, a restart or a second run over the same
folder -- resumes from what was decided: finished transactions are reported as they ended,
half-finished ones re-submit the same actions and the exactly-once executor reconciles with the
ERP instead of writing twice.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from agents.ap.case_file import build_case_file, perception_record
from agents.ap.ingest import read_invoice
from agents.ap.invoice import ExtractedInvoice, IngestionRejected
from agents.ap.matcher import CREDIT_OPERATION, AmountCap, ThreeWayMatcher
from agents.ap.plan import APPlan, build_plan, follow_up_action
from agents.ap.reasons import HoldReason
from agents.ap.register import InvoiceRegister
from agents.ap.result import APResult, ResultStatus
from agents.ap.tolerances import MatchTolerances
from agents.core import Connections, Decided, Decision, Lifecycle, Perceived, Submitted, Transaction, run
from connectors.erp.protocol import PayablesERP
from connectors.readonly import read_only_erp
from governance.action import canonical_json
from governance.ledger import LedgerRecord
from governance.runtime import Governor
from observability.tracing import step

AGENT = "ap_clerk"
COMPLETED = "ap_completed"
Reader = Callable[[Path], ExtractedInvoice]
Seen = tuple[ExtractedInvoice, str]
"""The invoice read, and the label of its source (the file, or the extracted invoice's source)."""


def transaction_id_for(source: Path | ExtractedInvoice) -> str:
    """Stable id: the file's bytes, or the extracted invoice's content."""
    if isinstance(source, ExtractedInvoice):
        data = canonical_json(source.model_dump(mode="json")).encode("utf-8")
    else:
        return f"ap-{_file_sha256(source)[:24]}"
    return f"ap-{hashlib.sha256(data).hexdigest()[:24]}"


def _file_sha256(path: Path) -> str:
    """Streamed, so an oversized file is hashed without being loaded (the reader then refuses it)."""
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


class APAgent:
    """Three-way match agent over one ERP connection, acting only through the Governor."""

    def __init__(
        self,
        governor: Governor,
        erp: PayablesERP,
        *,
        system: str,
        agent: str = AGENT,
        tolerances: MatchTolerances | None = None,
        register: InvoiceRegister | None = None,
        reader: Reader = read_invoice,
    ) -> None:
        erp = read_only_erp(erp)  # writes go through the Governor's performer, never from here
        self.governor, self.erp, self.system, self.agent = governor, erp, system, agent
        self.policy = governor.policy.agent(agent)
        self.ledger = governor.ledger
        self.reader = reader
        self.register = register if register is not None else InvoiceRegister()
        self.register.load_decisions(self.ledger, agent)
        caps = tuple(
            AmountCap(operation, threshold, governor.policy.settings.exchange_rates)
            for operation in ("erp.post_invoice", "erp.schedule_payment", CREDIT_OPERATION)
            if (threshold := self.policy.thresholds.get(operation)) is not None
        )
        self.matcher = ThreeWayMatcher(
            erp,
            self.register,
            tolerances,
            confidence_threshold=self.policy.confidence_threshold,
            caps=caps,
        )
        self.connections = Connections.of(erp=system)
        self.lifecycle: Lifecycle[APPlan, APResult] = Lifecycle(
            plan_type=APPlan,
            act=self._act,
            restore=lambda data: APResult.from_dict(dict(data), resumed=True),
            # Awaiting approval is not an end: the next run re-submits, and the Governor executes
            # the approved action (or keeps waiting) and the agent carries on to the next step.
            completion=lambda result: (
                None if result.status in ("awaiting_approval", "in_progress_elsewhere") else result.as_dict()
            ),
        )

    # --- the transaction (agents.core.run walks the five steps) -------------------------------

    def process(self, source: str | Path | ExtractedInvoice, transaction_id: str | None = None) -> APResult:
        if not isinstance(source, ExtractedInvoice):
            source = Path(source)
        txn = Transaction(
            transaction_id or transaction_id_for(source),
            self.agent,
            self.governor,
            self.connections,
            completed_event=COMPLETED,
        )
        label = source.source_file if isinstance(source, ExtractedInvoice) else str(source)

        def intake() -> dict[str, Any]:  # hashed only when the intake is recorded
            record: dict[str, Any] = {"source": label, "system": self.system}
            if isinstance(source, Path):
                record["sha256"] = _file_sha256(source)
            return record

        with txn.traced() as span:
            result = run(
                self, source, txn, self.lifecycle, intake=intake, intake_attributes={"source": label}
            )
            span.set_attribute("opspack.status", result.status)
        return result

    def perceive(
        self, source: Path | ExtractedInvoice, txn: Transaction
    ) -> Perceived[Seen] | Decision[APPlan]:
        """Read the invoice; a file that cannot be read honestly is decided here: a clerk gets it."""
        label = source.source_file if isinstance(source, ExtractedInvoice) else str(source)
        try:
            invoice = source if isinstance(source, ExtractedInvoice) else self.reader(source)
        except IngestionRejected as exc:
            return self._rejected(exc, label)
        except Exception as exc:  # one poison file must never stop the batch
            # RecursionError, MemoryError or a parser bug on hostile input: escalate this file as
            # unreadable, with what went wrong, and let the run go on with the next one.
            problem = f"the reader failed on this file: {type(exc).__name__}: {exc}"[:500]
            return self._rejected(IngestionRejected("corrupt", label, problem), label)
        return Perceived((invoice, label), perception_record(invoice))

    def decide(self, seen: Seen, txn: Transaction) -> Decision[APPlan]:
        """Three-way match, and the plan that carries the match out.

        When another worker records its decision on this transaction meanwhile, the core carries
        on with its plan and drops this one. (The other worker's decision precedes any write it
        made, so a worker that saw that write in the ERP -- "already in the ERP" -- always finds
        the decision: it never holds as a duplicate an invoice its own colleague just posted.)"""
        invoice, label = seen
        decision = self.matcher.match(invoice)
        plan = build_plan(
            decision,
            agent=self.agent,
            system=self.system,
            policy=self.policy,
            today=self.governor.clock().date(),
        )
        entry = decision.register_entry(txn.id)
        record = {
            "source": label,
            "outcome": decision.outcome,
            "reasons": list(plan.reasons),
            "rule": decision.rule,
            "rationale": decision.rationale,
            "case_file": build_case_file(invoice, decision),
            "register_entry": None if entry is None else entry.as_dict(),
        }
        return Decision(plan, record, None if entry is None else (lambda: self.register.add(entry)))

    def _rejected(self, exc: IngestionRejected, label: str) -> Decision[APPlan]:
        """A file that cannot be read honestly goes to a clerk as it is."""
        codes = [HoldReason.LOW_CONFIDENCE_EXTRACTION.value]
        plan = APPlan(
            kind="escalate",
            outcome="hold",
            reasons=tuple(codes),
            rule=f"ingest.{exc.reason_code}",
            route=self.policy.escalation.route_for(codes).model_dump(),
        )
        case_file = {"summary": str(exc), "rule": plan.rule, "reasons": codes, "file": label}
        record = {
            "source": label,
            "outcome": "hold",
            "reasons": codes,
            "rule": plan.rule,
            "rationale": exc.problem,
            "case_file": case_file,
            "register_entry": None,
        }
        return Decision(plan, record)

    # --- governing the plan --------------------------------------------------------------------

    def _act(self, decided: Decided[APPlan], txn: Transaction) -> APResult:
        plan, records = decided.plan, decided.records
        base = APResult(
            transaction_id=txn.id,
            source=str(decided.payload.get("source", "")),
            status="held",
            decision="post" if plan.outcome == "post" else "hold",
            reasons=plan.reasons,
            rule=plan.rule,
            vendor_id=plan.vendor_id,
            reference=plan.reference,
            route=plan.route,
            resumed=decided.resumed,
        )
        if plan.kind == "escalate":
            self._escalate(txn, plan, records, document_id=None)
            return base.with_status("held", "escalated without posting")
        posted = txn.submit(plan.posting())
        stopped = self._stopped(base, posted, "post")
        if stopped is not None:
            return self._escalate_failure(txn, plan, records, stopped)
        assert posted.document_id is not None
        base = base.with_document(posted.document_id)
        if plan.kind == "credit":  # nothing is paid for a credit memo: booking it is the end
            return base.with_status("posted", f"credit memo posted against {plan.credit_for}")
        follow = txn.submit(follow_up_action(plan, posted.document_id))
        stopped = self._stopped(base, follow, "payment" if plan.kind == "pay" else "hold")
        if stopped is not None:
            return self._escalate_failure(txn, plan, records, stopped)
        if plan.kind == "pay":
            return base.with_status("posted", "posted and payment scheduled", payment_id=follow.document_id)
        self._escalate(txn, plan, records, document_id=posted.document_id)
        return base.with_status("held", f"posted on hold ({plan.hold_reason})")

    def _stopped(self, base: APResult, submitted: Submitted, step: str) -> APResult | None:
        """Map a governance outcome that ends the transaction here; None to carry on."""
        outcome = submitted.outcome
        if submitted.landed:
            return None
        if submitted.elsewhere:  # another worker is performing this very write right now
            return base.with_status("in_progress_elsewhere", f"{step}: {outcome.message}")
        codes = submitted.gate_reasons
        status: ResultStatus = {"held": "awaiting_approval", "shadowed": "shadowed"}.get(
            outcome.status, "failed"
        )  # type: ignore[assignment]
        route = outcome.verdict.route.model_dump() if outcome.verdict and outcome.verdict.route else None
        return base.with_status(
            status,
            f"{step}: {outcome.status} ({', '.join(codes)}) {outcome.message}".strip(),
            approval_id=outcome.approval_id,
            gate_reasons=codes,
            route=route or base.route,
        )

    def _escalate_failure(
        self, txn: Transaction, plan: APPlan, records: list[LedgerRecord], result: APResult
    ) -> APResult:
        """A denied or failed action leaves the invoice half-done: a clerk gets the case."""
        if result.status == "in_progress_elsewhere":
            return result  # not an exception: the worker that has it finishes it
        if result.status == "failed":
            route = self.policy.escalation.default.model_dump()
            rule = f"governance.{result.message.split(':', 1)[0]}_failed"
            self._escalate(
                txn,
                plan.model_copy(update={"rule": rule, "route": route}),
                records,
                document_id=result.document_id,
            )
            return replace(result, route=route)
        return result

    def _escalate(
        self, txn: Transaction, plan: APPlan, records: list[LedgerRecord], *, document_id: str | None
    ) -> None:
        if any(r.kind == "escalation" and r.payload.get("source") == "ap_agent" for r in records):
            return
        decision = txn.decision(records)
        case_file = decision.payload.get("case_file") if decision else None
        if case_file is None:
            found = txn.decision()
            case_file = found.payload.get("case_file") if found else None
        with step("record", event="escalation"):
            txn.record(
                "escalation",
                {
                    "source": "ap_agent",
                    "reasons": list(plan.reasons),
                    "rule": plan.rule,
                    "route": plan.route,
                    "document_id": document_id,
                    "case_file": case_file,
                },
            )
