"""The governed case work for one message: open or continue the case, hand over, ask, resolve.

The intake agent's `Lifecycle.act`: `carry_out` opens or continues the case and carries the
decided `IntakePlan` out. Every write is a `ProposedAction` submitted through the message's
`agents.core.Transaction`
(so through `Governor.submit`); the case file goes on the case as an internal comment and into
the ledger, the reply is a `crm.send_reply` action. The case work knows the agent that started it
only through `CaseOwner`, the few things of it it uses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from agents.core import Connections, ProposedAction, Transaction
from agents.intake.case_file import CaseFile
from agents.intake.config import IntakeConfig
from agents.intake.identification import Identity
from agents.intake.intake_plan import IntakeLive, IntakePlan
from agents.intake.messages import Channel, InboundMessage
from agents.intake.outcomes import IntakeOutcome, IntakeResult, IntakeSystems, ParkedCase
from agents.intake.questions import QuestionDrafter
from agents.intake.reply_performer import OutboxAttachment
from agents.intake.resolutions import ReplyAttachment
from agents.intake.understanding import Entities
from agents.perception.usage_ledger import record_llm_usage
from connectors.crm.models import Account, CaseOrigin, Contact
from connectors.errors import ConnectorError
from governance.runtime import Governor

__all__ = ["CaseOwner", "CaseWork", "intake_transaction"]

_ORIGIN = {Channel.EMAIL: CaseOrigin.EMAIL, Channel.CHAT: CaseOrigin.CHAT, Channel.WEB_FORM: CaseOrigin.WEB}


class CaseOwner(Protocol):
    """What the case work uses of the intake agent that started it."""

    @property
    def governor(self) -> Governor: ...
    @property
    def systems(self) -> IntakeSystems: ...
    @property
    def config(self) -> IntakeConfig: ...
    @property
    def agent(self) -> str: ...
    @property
    def threads(self) -> dict[str, str]: ...
    @property
    def drafter(self) -> QuestionDrafter: ...


def intake_transaction(owner: CaseOwner, transaction_id: str) -> Transaction:
    """A message's transaction: CRM writes go to the CRM, ERP writes (credit memos) to the ERP;
    it ends with a ``decision`` record of the outcome (``intake_completed``)."""
    systems = owner.systems
    connections = Connections.of(crm=systems.crm_system, erp=systems.erp_system)
    return Transaction(
        transaction_id,
        owner.agent,
        owner.governor,
        connections,
        completed_event="intake_completed",
        completed_kind="decision",
    )


@dataclass
class CaseWork:
    """Per-message working state and the governed steps on its case."""

    owner: CaseOwner
    message: InboundMessage
    tx: str
    """The ledger transaction id of this message."""
    key: str
    """Short stable hash of the message id; every business key of this message derives from it."""
    case_id: str | None = None
    actions: list[tuple[str, str]] = field(default_factory=list)
    done: list[str] = field(default_factory=list)
    parked: ParkedCase | None = None
    """Set when the case now waits for the customer's answer."""

    @property
    def governor(self) -> Governor:
        return self.owner.governor

    @property
    def systems(self) -> IntakeSystems:
        return self.owner.systems

    @property
    def config(self) -> IntakeConfig:
        return self.owner.config

    @property
    def agent(self) -> str:
        return self.owner.agent

    @property
    def threads(self) -> dict[str, str]:
        return self.owner.threads

    @property
    def txn(self) -> Transaction:
        return intake_transaction(self.owner, self.tx)

    def submit(self, proposed: ProposedAction) -> str:
        submitted = self.txn.submit(proposed)
        status = "executed" if submitted.done else submitted.status  # written earlier is written
        self.actions.append((proposed.operation, status))
        if status == "executed" and proposed.operation == "crm.create_case" and submitted.document_id:
            self.case_id = submitted.document_id
        return status

    def crm(self, operation: str, params: dict[str, Any], suffix: str) -> str:
        return self.submit(
            ProposedAction(
                kind="crm",
                operation=operation,
                target=self.case_id or "",
                params=params,
                business_key=f"{suffix}:{self.key}",
            )
        )

    def carry_out(self, plan: IntakePlan, live: IntakeLive) -> IntakeResult:
        """The decided plan on the message's case (opened first when there is none yet)."""
        intent, confidence, account = plan.intent, plan.confidence, live.account
        if not self.ensure_case(intent, account, live.contact):
            return self.result(IntakeOutcome.FAILED, intent, confidence, ("case_not_created",), account)
        if plan.note:
            self.done.append(plan.note)
        if plan.kind == "hand_over":
            return self.hand_over(
                IntakeOutcome(plan.outcome),
                intent,
                confidence,
                live.entities,
                account,
                plan.reasons,
                plan.queue,
                plan.next_step,
            )
        if plan.kind == "ask":
            identity = Identity(account=account, contact=live.contact)
            return self.ask(intent, confidence, live.entities, identity, plan.slots, plan.reasons[0])
        assert account is not None
        return self.resolve(plan, live, account)

    def ensure_case(self, intent: str, account: Account | None, contact: Contact | None) -> bool:
        message = self.message
        if self.case_id is None:
            case: dict[str, Any] = {
                "subject": (message.subject or f"{intent.replace('_', ' ')} via {message.channel.value}")[
                    :255
                ]
                or "customer message",
                "description": message.body or f"(no readable text; problems: {', '.join(message.problems)})",
                "account_id": None if account is None else account.id,
                "contact_id": None if contact is None else contact.id,
            }
            if message.channel in _ORIGIN:
                case["origin"] = _ORIGIN[message.channel].value
            create = ProposedAction(
                kind="crm",
                operation="crm.create_case",
                params={"case": {k: v for k, v in case.items() if v is not None}},
                business_key=f"case-{self.key}",
            )
            if self.submit(create) != "executed":
                return False
            self.done.append("case opened")
        else:
            self.crm(
                "crm.comment",
                {"body": f"Customer wrote ({message.channel.value}):\n{message.body}", "public": False},
                "inbound",
            )
        assert self.case_id is not None
        self.threads[message.message_id] = self.case_id
        for reference in message.in_reply_to:
            self.threads.setdefault(reference, self.case_id)
        return True

    def reply(self, body: str, attachments: tuple[ReplyAttachment, ...] = ()) -> str:
        params: dict[str, Any] = {
            "body": body,
            "to": self.message.sender_email or self.message.message_id,
            "channel": self.message.channel.value,
            "subject": f"Re: {self.message.subject}".strip(),
        }
        if attachments:
            outbox = self.systems.outbox
            params["attachments"] = [
                outbox.stage(OutboxAttachment(a.filename, a.media_type, a.content)) for a in attachments
            ]
        return self.crm("crm.send_reply", params, "reply")

    def case_file(
        self,
        intent: str,
        confidence: float,
        entities: Entities,
        account: Account | None,
        reasons: tuple[str, ...],
        next_step: str,
    ) -> None:
        overview = None if account is None else self.systems.crm.get_account_overview(account.id)
        file = CaseFile(
            summary=(self.message.subject or self.message.body[:120]).strip() or "(empty message)",
            intent=intent,
            confidence=confidence,
            entities=entities.as_json(),
            overview=overview,
            done=tuple(self.done),
            next_step=next_step,
            reasons=reasons,
        )
        self.crm("crm.comment", {"body": file.render(), "public": False}, "casefile")
        self.txn.record("escalation" if reasons else "note", file.as_json())

    def hand_over(
        self,
        outcome: IntakeOutcome,
        intent: str,
        confidence: float,
        entities: Entities,
        account: Account | None,
        reasons: tuple[str, ...],
        queue: str,
        next_step: str,
    ) -> IntakeResult:
        urgent = outcome is IntakeOutcome.ESCALATED
        self.crm(
            "crm.update_case",
            {
                "update": {
                    "status": "escalated" if urgent else "working",
                    "owner_queue": queue,
                    "priority": "high" if urgent else "medium",
                }
            },
            "handover",
        )
        self.done.append(f"routed to {queue}")
        reply = (
            "Thank you for your message. A member of our team will look into it personally and get back to you."
            if urgent
            else "Thank you for your message. It has been passed to the team that handles it."
        )
        self.reply(reply)
        self.case_file(intent, confidence, entities, account, reasons, next_step)
        return self.result(outcome, intent, confidence, reasons, account, reply)

    def ask(
        self,
        intent: str,
        confidence: float,
        entities: Entities,
        identity: Identity,
        slots: tuple[str, ...],
        reason: str,
    ) -> IntakeResult:
        drafted = self.owner.drafter.draft(slots, intent=intent, customer_text=self.message.text)
        if drafted.usage:
            record_llm_usage(self.governor.ledger, self.tx, drafted.usage, agent=self.agent)
        body = drafted.body
        self.crm("crm.update_case", {"update": {"status": "waiting_on_customer"}}, "park")
        self.reply(body)
        assert self.case_id is not None
        self.parked = ParkedCase(intent, confidence, entities, identity.account, identity.contact)
        return self.result(
            IntakeOutcome.AWAITING_CUSTOMER, intent, confidence, (reason, *slots), identity.account, body
        )

    def resolve(self, plan: IntakePlan, live: IntakeLive, account: Account) -> IntakeResult:
        intent, confidence, entities = plan.intent, plan.confidence, live.entities
        reply = plan.reply_done
        write = plan.actions[0] if plan.actions else None
        if write is not None and plan.case_id is None and self.case_id is not None:
            # decided before this message opened its case, the write was keyed by the message:
            # key it by the case, as a later message on the same case keys its own (one refund)
            keyed = write.business_key.replace(self.key, self.case_id)
            write = write.model_copy(update={"business_key": keyed})
        if write is not None:
            status = self.submit(write)
            if status == "held":
                self.done.append(f"{plan.summary} (waiting for approval)")
                self.crm(
                    "crm.update_case",
                    {"update": {"status": "working", "owner_queue": "Billing"}},
                    "held",
                )
                self.reply(plan.reply_held)
                self.case_file(
                    intent,
                    confidence,
                    entities,
                    account,
                    ("approval_required",),
                    "approve or reject the held action",
                )
                return self.result(
                    IntakeOutcome.HELD, intent, confidence, ("approval_required",), account, plan.reply_held
                )
            if status != "executed":
                return self.hand_over(
                    IntakeOutcome.ESCALATED,
                    intent,
                    confidence,
                    entities,
                    account,
                    (f"action_{status}",),
                    self.config.escalation.default_queue,
                    f"{write.operation} was {status}; decide by hand",
                )
            if live.reply_after is not None:
                try:
                    reply = live.reply_after()
                except ConnectorError as error:  # the write is done: the generic confirmation still holds
                    self.done.append(f"result not read back ({error.reason}); sent the generic confirmation")
        self.done.append(plan.summary)
        if self.reply(reply, live.attachments) != "executed":
            return self.result(IntakeOutcome.HELD, intent, confidence, ("reply_held",), account, reply)
        self.crm("crm.update_case", {"update": {"status": "closed"}}, "close")
        self.case_file(intent, confidence, entities, account, (), "none: resolved by the agent")
        return self.result(IntakeOutcome.RESOLVED, intent, confidence, (), account, reply)

    def result(
        self,
        outcome: IntakeOutcome,
        intent: str,
        confidence: float,
        reasons: tuple[str, ...],
        account: Account | None,
        reply: str | None = None,
    ) -> IntakeResult:
        return IntakeResult(
            message_id=self.message.message_id,
            transaction_id=self.tx,
            outcome=outcome,
            intent=intent,
            confidence=confidence,
            reasons=reasons,
            case_id=self.case_id,
            account_id=None if account is None else account.id,
            actions=tuple(self.actions),
            reply=reply,
        )
