"""The customer intake agent: one inbound message in, a governed outcome and a case file out.

For each message: record it, thread it onto its case (or open one), understand it, identify the
customer, check escalation triggers, ask for anything missing (parking the case until the
customer answers), else resolve it through the Governor and reply. The agent is the core's
`Agent` (`perceive`, `decide` -> `IntakePlan`) and `agents.core.run` walks the steps; its own
`Lifecycle.act` is the case work (`case_work.py`), where every write -- case, comment, contact
change, credit memo, reply -- is a governed action through the message's `Transaction`. The
message's outcome is the transaction's last record, a ``decision`` (``intake_completed``).
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from agents.core import Decided, Decision, Lifecycle, Perceived, Transaction, run
from agents.intake.case_work import CaseWork, intake_transaction
from agents.intake.config import IntakeConfig, Resolution
from agents.intake.escalation import UNREADABLE_PROBLEMS, check_escalation
from agents.intake.identification import Identity, identify
from agents.intake.intake_plan import IntakeLive, IntakePlan, Seen
from agents.intake.messages import InboundMessage
from agents.intake.orders import OrderBook
from agents.intake.outcomes import IntakeOutcome, IntakeResult, IntakeSystems, ParkedCase
from agents.intake.questions import QuestionDrafter, TemplateDrafter
from agents.intake.resolutions import ResolutionPlan, plan
from agents.intake.understanding import Entities, understand
from connectors.crm.models import Account, Contact
from connectors.errors import ConnectorError
from governance.runtime import Governor

__all__ = ["IntakeAgent", "IntakeOutcome", "IntakeResult", "IntakeSystems", "ParkedCase"]

_COMPANY = re.compile(r"^Company: (.+)$", re.MULTILINE)


def _key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


class IntakeAgent:
    def __init__(
        self,
        governor: Governor,
        systems: IntakeSystems,
        config: IntakeConfig,
        *,
        agent: str = "customer_intake",
        drafter: QuestionDrafter | None = None,
    ) -> None:
        # Reads only: every write is an Action through the Governor, whose performers hold the connectors.
        systems = systems.read_only()
        self.governor, self.systems, self.config, self.agent = governor, systems, config, agent
        self.drafter: QuestionDrafter = drafter or TemplateDrafter(config.questions)
        """Drafts follow-up questions: the configured templates, or an LLM when one is given."""
        self.threads: dict[str, str] = {}
        """Message id (and chat session) -> CRM case id."""
        self.parked: dict[str, ParkedCase] = {}
        self.contacts: dict[str, list[datetime]] = defaultdict(list)
        self.results: dict[str, IntakeResult] = {}

    # --- the whole path: agents.core.run over the Agent Protocol ----------------------------
    def handle(self, message: InboundMessage) -> IntakeResult:
        if message.message_id in self.results:
            return replace(self.results[message.message_id], outcome=IntakeOutcome.DUPLICATE)
        key = _key(message.message_id)
        txn = intake_transaction(self, f"intake-{key}")
        lifecycle = Lifecycle(
            plan_type=IntakePlan,
            act=lambda decided, t: self._act(message, key, decided, t),
            restore=IntakeResult.from_json,
            completion=IntakeResult.ledger_form,
            headline=IntakeResult.headline,
        )
        with txn.traced(channel=message.channel.value) as span:
            result = run(self, message, txn, lifecycle, intake=lambda: _intake_record(message))
            span.set_attribute("opspack.status", result.outcome.value)
        self.results[message.message_id] = result
        return result

    def perceive(self, message: InboundMessage, txn: Transaction) -> Perceived[Seen]:
        case_id = self._existing_case(message)
        parked = self.parked.pop(case_id, None) if case_id else None
        readable = not UNREADABLE_PROBLEMS & set(message.problems)
        u = understand(message.text, self.config) if readable else None
        intent, confidence, entities = (
            ("unreadable", 0.0, Entities()) if u is None else (u.intent, u.prediction.confidence, u.entities)
        )
        confident = (
            u is not None and not u.prediction.out_of_scope and confidence >= self.config.confidence_threshold
        )
        if parked is not None and not confident:  # the answer to our question
            intent, confidence, confident = parked.intent, parked.confidence, True
        if parked is not None:
            entities = parked.entities.merged(entities)
        if u is not None and parked is not None and intent == parked.intent:
            u = replace(u, prediction=u.prediction.model_copy(update={"out_of_scope": False}))
        record = {
            "intent": intent,
            "confidence": round(confidence, 4),
            "entities": entities.as_json(),
            "language": None if u is None else u.language,
            "resumed": parked is not None,
        }
        return Perceived(Seen(message, case_id, parked, u, intent, confidence, confident, entities), record)

    def decide(self, seen: Seen, txn: Transaction) -> Decision[IntakePlan]:
        message, intent, entities = seen.message, seen.intent, seen.entities
        identity = self._identify(txn, message, entities, seen.parked)
        account = identity.account
        contacts = self._count_contact(message, account) if seen.case_id is None else 0
        check = check_escalation(
            config=self.config,
            understanding=seen.understanding,
            intent_confident=seen.confident,
            problems=message.problems,
            account=account,
            contacts_in_window=contacts,
        )
        live = IntakeLive(entities, account, identity.contact)
        base = {
            "intent": intent,
            "confidence": seen.confidence,
            "case_id": seen.case_id,
            "account_id": None if account is None else account.id,
            "contact_id": None if identity.contact is None else identity.contact.id,
            "entities": entities.as_json(),
        }

        def decided(live: IntakeLive = live, **fields: Any) -> Decision[IntakePlan]:
            plan = IntakePlan(**base, **fields).with_live(live)
            return Decision(plan, {"intent": intent, "reasons": list(plan.reasons)})

        if check.escalate:
            reasons = tuple(r.value for r in check.reasons)
            return decided(kind="hand_over", outcome="escalated", reasons=reasons, queue=check.queue,
                           next_step="a specialist reviews and answers the customer")  # fmt: skip
        if not identity.found:
            question = "ambiguous_identity" if identity.ambiguous else "identity"
            reason = "ambiguous_customer" if identity.ambiguous else "unknown_customer"
            return decided(kind="ask", reasons=(reason, question), slots=(question,))
        spec = self.config.intents.get(intent)
        if spec is None or spec.resolution is Resolution.ROUTE:
            queue = spec.queue if spec and spec.queue else self.config.escalation.default_queue
            return decided(kind="hand_over", outcome="routed", reasons=(f"route:{intent}",), queue=queue,
                           next_step=f"{queue} handles the {intent.replace('_', ' ')}")  # fmt: skip
        missing = tuple(slot.value for slot in spec.required if not _has(entities, slot.value))
        if missing:
            return decided(kind="ask", reasons=("missing_information", *missing), slots=missing)
        assert account is not None
        resolution = self._resolution(spec.resolution, message, entities, account, identity.contact,
                                      seen.case_id or _key(message.message_id))  # fmt: skip
        if resolution.problem is not None:
            queue = self.config.escalation.default_queue
            return decided(kind="hand_over", outcome="escalated", reasons=("cannot_resolve",), queue=queue,
                           next_step=resolution.problem, note=f"could not resolve: {resolution.problem}")  # fmt: skip
        if resolution.ask:
            return decided(kind="ask", reasons=("missing_information", *resolution.ask), slots=resolution.ask)
        write = () if resolution.write is None else (resolution.write.proposed(),)
        return decided(
            replace(live, attachments=resolution.attachments, reply_after=resolution.reply_after),
            kind="resolve", actions=write, reply_done=resolution.reply_done,
            reply_held=resolution.reply_held, summary=resolution.summary,
        )  # fmt: skip

    def _act(
        self, message: InboundMessage, key: str, decided: Decided[IntakePlan], txn: Transaction
    ) -> IntakeResult:
        plan = decided.plan
        live = plan.live or self._reread(message, plan)
        work = CaseWork(self, message, txn.id, key, case_id=plan.case_id)
        result = work.carry_out(plan, live)
        if work.parked is not None and work.case_id is not None:
            self.parked[work.case_id] = work.parked
        return result

    def _reread(self, message: InboundMessage, plan: IntakePlan) -> IntakeLive:
        """A plan read back from the ledger: its account and contact read again by id, this
        message's entities understood again (an earlier turn's lived in memory), and for a
        resolution the reply's attachments and read-back drafted again (planning only reads)."""
        crm = self.systems.crm
        account = None if plan.account_id is None else crm.get_account(plan.account_id)
        contact = None if plan.contact_id is None else crm.get_contact(plan.contact_id)
        readable = not UNREADABLE_PROBLEMS & set(message.problems)
        entities = understand(message.text, self.config).entities if readable else Entities()
        live = IntakeLive(entities, account, contact)
        spec = self.config.intents.get(plan.intent)
        if plan.kind != "resolve" or account is None or spec is None:
            return live
        again = self._resolution(spec.resolution, message, entities, account, contact,
                                 plan.case_id or _key(message.message_id))  # fmt: skip
        return replace(live, attachments=again.attachments, reply_after=again.reply_after)

    def _resolution(
        self,
        resolution: Resolution,
        message: InboundMessage,
        entities: Entities,
        account: Account,
        contact: Contact | None,
        case_key: str,
    ) -> ResolutionPlan:
        try:
            return plan(
                resolution,
                entities=entities,
                account=account,
                contact=contact,
                book=OrderBook(self.systems.erp),
                case_key=case_key,
                text=message.text,
            )
        except ConnectorError as error:  # the ERP could not answer: a person takes over, nothing is guessed
            return ResolutionPlan("", problem=f"ERP read failed: {error}")

    def _existing_case(self, message: InboundMessage) -> str | None:
        if message.case_number:
            case = self.systems.crm.find_case_by_number(message.case_number)
            if case is not None:
                return case.id
        return next((self.threads[i] for i in message.in_reply_to if i in self.threads), None)

    # --- steps ------------------------------------------------------------------------------
    def _identify(
        self, txn: Transaction, message: InboundMessage, entities: Entities, parked: ParkedCase | None
    ) -> Identity:
        if parked is not None and parked.account is not None:
            return Identity(account=parked.account, contact=parked.contact)
        company = _COMPANY.search(message.body)
        identity = identify(
            self.systems.crm,
            email=message.sender_email,
            account_numbers=entities.account_numbers,
            name=message.sender_name,
            company=company.group(1).strip() if company else None,
        )
        txn.record(
            "perception",
            {
                "identity": None if identity.account is None else identity.account.id,
                "method": None if identity.method is None else identity.method.value,
                "candidates": [a.id for a in identity.candidates],
            },
        )
        return identity

    def _count_contact(self, message: InboundMessage, account: Account | None) -> int:
        who = account.id if account else (message.sender_email or "")
        if not who:
            return 1
        window = timedelta(days=self.config.escalation.repeat_window_days)
        seen = [t for t in self.contacts[who] if message.received_at - window <= t <= message.received_at]
        self.contacts[who].append(message.received_at)
        return len(seen) + 1


def _intake_record(message: InboundMessage) -> dict[str, Any]:
    return {
        "channel": message.channel.value,
        "message_id": message.message_id,
        "sender": message.sender_email,
        "subject": message.subject,
        "problems": list(message.problems),
        "attachments": [a.filename for a in message.attachments],
    }


def _has(entities: Entities, slot: str) -> bool:
    if slot == "order_number":
        return bool(entities.order_numbers)
    if slot == "amount":
        return bool(entities.amounts)
    if slot == "new_address":
        return bool(entities.addresses)
    if slot == "order_or_invoice_number":
        return bool(entities.order_numbers or entities.invoice_numbers)
    raise ValueError(f"unknown slot {slot!r}")
