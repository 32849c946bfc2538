"""The customer intake agent: one inbound message in, a governed outcome and a case file out.

For each message: record it, thread it onto its case (or open one), understand it, identify the
customer, check escalation triggers, ask for anything missing (parking the case until the
customer answers), else resolve it through the Governor and reply. Every write -- case, comment,
contact change, credit memo, reply -- is a governed action through the message's
`agents.core.Transaction` (`case_work.py`).
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from dataclasses import replace
from datetime import datetime, timedelta

from agents.intake.case_work import CaseWork
from agents.intake.config import IntakeConfig, Resolution
from agents.intake.escalation import UNREADABLE_PROBLEMS, check_escalation
from agents.intake.identification import Identity, identify
from agents.intake.messages import InboundMessage
from agents.intake.orders import OrderBook
from agents.intake.outcomes import IntakeOutcome, IntakeResult, IntakeSystems, ParkedCase
from agents.intake.questions import QuestionDrafter, TemplateDrafter
from agents.intake.resolutions import ResolutionPlan, plan
from agents.intake.understanding import Entities, understand
from connectors.crm.models import Account
from connectors.errors import ConnectorError
from governance.runtime import Governor
from observability.tracing import step

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

    # --- the whole path ---------------------------------------------------------------------
    def handle(self, message: InboundMessage) -> IntakeResult:
        if message.message_id in self.results:
            return replace(self.results[message.message_id], outcome=IntakeOutcome.DUPLICATE)
        key = _key(message.message_id)
        run = CaseWork(self, message, f"intake-{key}", key)
        with run.txn.traced(channel=message.channel.value) as span:
            result = self._handle(run)
            span.set_attribute("opspack.status", result.outcome.value)
        self.results[message.message_id] = result
        return result

    def _handle(self, run: CaseWork) -> IntakeResult:
        message = run.message
        with step("intake"):
            run.txn.record(
                "intake",
                {
                    "channel": message.channel.value,
                    "message_id": message.message_id,
                    "sender": message.sender_email,
                    "subject": message.subject,
                    "problems": list(message.problems),
                    "attachments": [a.filename for a in message.attachments],
                },
            )
            run.case_id = self._existing_case(message)
        parked = self.parked.pop(run.case_id, None) if run.case_id else None
        result = self._decide(run, parked)
        if run.parked is not None and run.case_id is not None:
            self.parked[run.case_id] = run.parked
        return result

    def _existing_case(self, message: InboundMessage) -> str | None:
        if message.case_number:
            case = self.systems.crm.find_case_by_number(message.case_number)
            if case is not None:
                return case.id
        return next((self.threads[i] for i in message.in_reply_to if i in self.threads), None)

    def _decide(self, run: CaseWork, parked: ParkedCase | None) -> IntakeResult:
        message = run.message
        with step("perceive"):
            readable = not UNREADABLE_PROBLEMS & set(message.problems)
            u = understand(message.text, self.config) if readable else None
            intent, confidence, entities = (
                ("unreadable", 0.0, Entities())
                if u is None
                else (u.intent, u.prediction.confidence, u.entities)
            )
            confident = (
                u is not None
                and not u.prediction.out_of_scope
                and confidence >= self.config.confidence_threshold
            )
            if parked is not None and not confident:
                intent, confidence, confident = (
                    parked.intent,
                    parked.confidence,
                    True,
                )  # the answer to our question
            if parked is not None:
                entities = parked.entities.merged(entities)
            if u is not None and parked is not None and intent == parked.intent:
                u = replace(u, prediction=u.prediction.model_copy(update={"out_of_scope": False}))
            run.txn.record(
                "perception",
                {
                    "intent": intent,
                    "confidence": round(confidence, 4),
                    "entities": entities.as_json(),
                    "language": None if u is None else u.language,
                    "resumed": parked is not None,
                },
            )
        with step("decide"):
            identity = self._identify(run, entities, parked)
            account = identity.account
            contacts = self._count_contact(message, account) if run.case_id is None else 0
            check = check_escalation(
                config=self.config,
                understanding=u,
                intent_confident=confident,
                problems=message.problems,
                account=account,
                contacts_in_window=contacts,
            )
        if not run.ensure_case(intent, account, identity.contact):
            return run.result(IntakeOutcome.FAILED, intent, confidence, ("case_not_created",), account)
        if check.escalate:
            return run.hand_over(
                IntakeOutcome.ESCALATED,
                intent,
                confidence,
                entities,
                account,
                tuple(r.value for r in check.reasons),
                check.queue,
                "a specialist reviews and answers the customer",
            )
        if not identity.found:
            question = "ambiguous_identity" if identity.ambiguous else "identity"
            reason = "ambiguous_customer" if identity.ambiguous else "unknown_customer"
            return run.ask(intent, confidence, entities, identity, (question,), reason)
        spec = self.config.intents.get(intent)
        if spec is None or spec.resolution is Resolution.ROUTE:
            queue = spec.queue if spec and spec.queue else self.config.escalation.default_queue
            return run.hand_over(
                IntakeOutcome.ROUTED,
                intent,
                confidence,
                entities,
                account,
                (f"route:{intent}",),
                queue,
                f"{queue} handles the {intent.replace('_', ' ')}",
            )
        missing = tuple(slot.value for slot in spec.required if not _has(entities, slot.value))
        if missing:
            return run.ask(intent, confidence, entities, identity, missing, "missing_information")
        assert account is not None
        try:
            resolution = plan(
                spec.resolution,
                entities=entities,
                account=account,
                contact=identity.contact,
                book=OrderBook(self.systems.erp),
                case_key=run.case_id or run.key,
                text=message.text,
            )
        except ConnectorError as error:  # the ERP could not answer: a person takes over, nothing is guessed
            resolution = ResolutionPlan("", problem=f"ERP read failed: {error}")
        return run.resolve(intent, confidence, entities, account, identity.contact, resolution)

    # --- steps ------------------------------------------------------------------------------
    def _identify(self, run: CaseWork, entities: Entities, parked: ParkedCase | None) -> Identity:
        message = run.message
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
        run.txn.record(
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
