"""`APAgent`: intake -> perceive -> decide -> govern -> record, for one invoice at a time.

Every step lands in the ledger under the invoice's transaction id. The decision record carries
the plan (the exact actions), so processing the same transaction again -- after a crash, a
restart or a second run over the same folder -- resumes from what was decided: finished
transactions are reported as they ended, half-finished ones re-submit the same actions and the
exactly-once executor reconciles with the ERP instead of writing twice.
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
from agents.ap.plan import build_plan, follow_up_action
from agents.ap.reasons import HoldReason
from agents.ap.register import InvoiceRegister
from agents.ap.result import APResult, ResultStatus
from agents.ap.tolerances import MatchTolerances
from connectors.erp.protocol import ERPConnector
from connectors.readonly import read_only_erp
from governance.action import Action, canonical_json
from governance.ledger import LedgerRecord
from governance.runtime import Governor, Outcome
from observability.tracing import step, transaction

AGENT = "ap_clerk"
COMPLETED = "ap_completed"
Reader = Callable[[Path], ExtractedInvoice]


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
        erp: ERPConnector,
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

    # --- the five steps ----------------------------------------------------------------------

    def process(self, source: str | Path | ExtractedInvoice, transaction_id: str | None = None) -> APResult:
        if not isinstance(source, ExtractedInvoice):
            source = Path(source)
        txn = transaction_id or transaction_id_for(source)
        with transaction(txn, agent=self.agent) as span:
            result = self._process(source, txn)
            span.set_attribute("opspack.status", result.status)
        return result

    def _process(self, source: Path | ExtractedInvoice, txn: str) -> APResult:
        records = self.ledger.records(txn)
        finished = _last_note(records, COMPLETED)
        if finished is not None:
            return APResult.from_dict(finished.payload["result"], resumed=True)
        decided = next((r for r in records if r.kind == "decision"), None)
        resumed = decided is not None
        if decided is not None:
            plan = decided.payload["plan"]
            label = str(decided.payload.get("source", ""))
        else:
            plan, label, theirs = self._decide(source, txn, {r.kind for r in records})
            if theirs:  # another worker decided this transaction meanwhile: carry on with its plan
                records, resumed = self.ledger.records(txn), True
        result = self._govern(plan, txn, label, records, resumed=resumed)
        if result.status not in ("awaiting_approval", "in_progress_elsewhere"):
            # Awaiting approval is not an end: the next run re-submits, and the Governor executes
            # the approved action (or keeps waiting) and the agent carries on to the next step.
            with step("record"):
                self.ledger.append(
                    txn, "note", {"event": COMPLETED, "result": result.as_dict()}, agent=self.agent
                )
        return result

    def _decide(
        self, source: Path | ExtractedInvoice, txn: str, recorded: set[str]
    ) -> tuple[dict[str, Any], str, bool]:
        """Intake, perceive, decide; steps a killed earlier run already recorded are not repeated.

        The third value is True when another worker recorded its decision on this transaction
        while this one was deciding: its plan is returned and this one's is dropped. (The other
        worker's decision precedes any write it made, so a worker that saw that write in the ERP
        -- "already in the ERP" -- always finds the decision here: it never holds as a duplicate
        an invoice its own colleague just posted.)"""
        label = source.source_file if isinstance(source, ExtractedInvoice) else str(source)
        intake: dict[str, Any] = {"source": label, "system": self.system}
        if isinstance(source, Path):
            intake["sha256"] = _file_sha256(source)
        with step("intake", source=label):
            if "intake" not in recorded:
                self.ledger.append(txn, "intake", intake, agent=self.agent)
        with step("perceive"):
            try:
                invoice = source if isinstance(source, ExtractedInvoice) else self.reader(source)
            except IngestionRejected as exc:
                return self._rejected(exc, txn, label), label, False
            except Exception as exc:  # one poison file must never stop the batch
                # RecursionError, MemoryError or a parser bug on hostile input: escalate this file as
                # unreadable, with what went wrong, and let the run go on with the next one.
                problem = f"the reader failed on this file: {type(exc).__name__}: {exc}"[:500]
                return self._rejected(IngestionRejected("corrupt", label, problem), txn, label), label, False
            if "perception" not in recorded:
                self.ledger.append(txn, "perception", perception_record(invoice), agent=self.agent)
        with step("decide"):
            return self._match(invoice, txn, label)

    def _match(self, invoice: ExtractedInvoice, txn: str, label: str) -> tuple[dict[str, Any], str, bool]:
        decision = self.matcher.match(invoice)
        plan = build_plan(
            decision,
            agent=self.agent,
            system=self.system,
            policy=self.policy,
            today=self.governor.clock().date(),
        )
        entry = decision.register_entry(txn)
        theirs = next(iter(self.ledger.records(txn, kind="decision")), None)
        if theirs is not None:
            return theirs.payload["plan"], str(theirs.payload.get("source", label)), True
        self.ledger.append(
            txn,
            "decision",
            {
                "source": label,
                "outcome": decision.outcome,
                "reasons": plan["reasons"],
                "rule": decision.rule,
                "rationale": decision.rationale,
                "plan": plan,
                "case_file": build_case_file(invoice, decision),
                "register_entry": None if entry is None else entry.as_dict(),
            },
            agent=self.agent,
        )
        if entry is not None:
            self.register.add(entry)
        return plan, label, False

    def _rejected(self, exc: IngestionRejected, txn: str, label: str) -> dict[str, Any]:
        """A file that cannot be read honestly goes to a clerk as it is."""
        codes = [HoldReason.LOW_CONFIDENCE_EXTRACTION.value]
        plan = {
            "kind": "escalate",
            "outcome": "hold",
            "reasons": codes,
            "rule": f"ingest.{exc.reason_code}",
            "route": self.policy.escalation.route_for(codes).model_dump(),
        }
        case_file = {"summary": str(exc), "rule": plan["rule"], "reasons": codes, "file": label}
        self.ledger.append(
            txn,
            "decision",
            {
                "source": label,
                "outcome": "hold",
                "reasons": codes,
                "rule": plan["rule"],
                "rationale": exc.problem,
                "plan": plan,
                "case_file": case_file,
                "register_entry": None,
            },
            agent=self.agent,
        )
        return plan

    def _govern(
        self, plan: dict[str, Any], txn: str, label: str, records: list[LedgerRecord], *, resumed: bool
    ) -> APResult:
        base = APResult(
            transaction_id=txn,
            source=label,
            status="held",
            decision="post" if plan.get("outcome", "hold") == "post" else "hold",
            reasons=tuple(plan["reasons"]),
            rule=str(plan["rule"]),
            vendor_id=plan.get("vendor_id"),
            reference=plan.get("reference"),
            route=plan.get("route"),
            resumed=resumed,
        )
        if plan["kind"] == "escalate":
            self._escalate(txn, plan, records, document_id=None)
            return base.with_status("held", "escalated without posting")
        posted = self.governor.submit(Action.model_validate(plan["post"]), transaction_id=txn)
        stopped = self._stopped(base, posted, "post")
        if stopped is not None:
            return self._escalate_failure(txn, plan, records, stopped)
        assert posted.document_id is not None
        base = base.with_document(posted.document_id)
        if plan["kind"] == "credit":  # nothing is paid for a credit memo: booking it is the end
            return base.with_status("posted", f"credit memo posted against {plan['credit_for']}")
        follow = self.governor.submit(follow_up_action(plan, posted.document_id), transaction_id=txn)
        stopped = self._stopped(base, follow, "payment" if plan["kind"] == "pay" else "hold")
        if stopped is not None:
            return self._escalate_failure(txn, plan, records, stopped)
        if plan["kind"] == "pay":
            return base.with_status("posted", "posted and payment scheduled", payment_id=follow.document_id)
        self._escalate(txn, plan, records, document_id=posted.document_id)
        return base.with_status("held", f"posted on hold ({plan['hold_reason']})")

    def _stopped(self, base: APResult, outcome: Outcome, step: str) -> APResult | None:
        """Map a governance outcome that ends the transaction here; None to carry on."""
        if outcome.status in ("executed", "duplicate") and outcome.document_id:
            return None
        if outcome.status == "duplicate":  # another worker is performing this very write right now
            return base.with_status("in_progress_elsewhere", f"{step}: {outcome.message}")
        codes = tuple(reason.code.value for reason in outcome.reasons)
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
        self, txn: str, plan: dict[str, Any], records: list[LedgerRecord], result: APResult
    ) -> APResult:
        """A denied or failed action leaves the invoice half-done: a clerk gets the case."""
        if result.status == "in_progress_elsewhere":
            return result  # not an exception: the worker that has it finishes it
        if result.status == "failed":
            route = self.policy.escalation.default.model_dump()
            failed = {**plan, "rule": f"governance.{result.message.split(':', 1)[0]}_failed", "route": route}
            self._escalate(txn, failed, records, document_id=result.document_id)
            return replace(result, route=route)
        return result

    def _escalate(
        self, txn: str, plan: dict[str, Any], records: list[LedgerRecord], *, document_id: str | None
    ) -> None:
        if any(r.kind == "escalation" and r.payload.get("source") == "ap_agent" for r in records):
            return
        decision = next((r for r in records if r.kind == "decision"), None)
        case_file = decision.payload.get("case_file") if decision else None
        if case_file is None:
            case_file = self._decision_case_file(txn)
        with step("record", event="escalation"):
            self.ledger.append(
                txn,
                "escalation",
                {
                    "source": "ap_agent",
                    "reasons": plan["reasons"],
                    "rule": plan["rule"],
                    "route": plan["route"],
                    "document_id": document_id,
                    "case_file": case_file,
                },
                agent=self.agent,
            )

    def _decision_case_file(self, txn: str) -> Any:
        for record in self.ledger.records(txn, kind="decision"):
            return record.payload.get("case_file")
        return None


def _last_note(records: list[LedgerRecord], event: str) -> LedgerRecord | None:
    found = [r for r in records if r.kind == "note" and r.payload.get("event") == event]
    return found[-1] if found else None
