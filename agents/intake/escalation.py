"""When a person must take over, and which queue gets the case.

Triggers are checked in a fixed order so the leading reason is stable: unsafe or unreadable
input first, then legal and regulatory language, then customer signals, then the model's own
doubt. Every trigger that fires is reported, not only the first.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from agents.intake.config import IntakeConfig
from agents.intake.understanding import Understanding
from connectors.crm.models import Account


class EscalationReason(StrEnum):
    UNREADABLE = "unreadable_message"
    PROMPT_INJECTION = "prompt_injection"
    LEGAL = "legal_language"
    REGULATORY = "regulatory_language"
    CHARGEBACK = "chargeback"
    WANTS_HUMAN = "asked_for_human"
    CHURN = "churn_threat"
    NEGATIVE = "strong_negative_sentiment"
    REPEATED = "repeated_contact"
    VIP = "vip_account"
    OUT_OF_SCOPE = "out_of_scope"
    LOW_CONFIDENCE = "low_confidence"
    LANGUAGE = "unsupported_language"


@dataclass(frozen=True)
class EscalationCheck:
    reasons: tuple[EscalationReason, ...]
    queue: str

    @property
    def escalate(self) -> bool:
        return bool(self.reasons)


UNREADABLE_PROBLEMS = frozenset({"empty", "binary_content", "unparseable"})


def check_escalation(
    *,
    config: IntakeConfig,
    understanding: Understanding | None,
    intent_confident: bool,
    problems: tuple[str, ...],
    account: Account | None,
    contacts_in_window: int,
) -> EscalationCheck:
    """Every trigger that applies; `intent_confident` is False for low-confidence predictions."""
    spec = config.escalation
    reasons: list[EscalationReason] = []
    if UNREADABLE_PROBLEMS & set(problems) or understanding is None:
        reasons.append(EscalationReason.UNREADABLE)
    if understanding is not None:
        cues = understanding.cues
        flagged = (
            (cues.injection, EscalationReason.PROMPT_INJECTION),
            (cues.legal, EscalationReason.LEGAL),
            (cues.regulatory, EscalationReason.REGULATORY),
            (cues.chargeback, EscalationReason.CHARGEBACK),
            (cues.wants_human, EscalationReason.WANTS_HUMAN),
            (cues.churn, EscalationReason.CHURN),
        )
        reasons.extend(reason for hits, reason in flagged if hits)
        if cues.sentiment <= -1.0:
            reasons.append(EscalationReason.NEGATIVE)
    if contacts_in_window >= spec.repeat_contacts:
        reasons.append(EscalationReason.REPEATED)
    if account is not None and (account.vip or (account.tier or "").lower() == "strategic"):
        reasons.append(EscalationReason.VIP)
    if understanding is not None and EscalationReason.UNREADABLE not in reasons:
        if understanding.language not in ("en", "und"):
            reasons.append(EscalationReason.LANGUAGE)
        if understanding.prediction.out_of_scope:
            reasons.append(EscalationReason.OUT_OF_SCOPE)
        elif not intent_confident:
            reasons.append(EscalationReason.LOW_CONFIDENCE)
    queue = spec.vip_queue if EscalationReason.VIP in reasons else spec.default_queue
    return EscalationCheck(reasons=tuple(reasons), queue=queue)
