"""The case file a person reads when intake hands over: everything known, in one comment."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from connectors.crm.models import AccountOverview


@dataclass(frozen=True)
class CaseFile:
    """Summary, intent and confidence, entities, account snapshot and history, actions, next step."""

    summary: str
    intent: str
    confidence: float
    entities: dict[str, list[str]]
    overview: AccountOverview | None
    done: tuple[str, ...]
    next_step: str
    reasons: tuple[str, ...] = field(default=())

    def as_json(self) -> dict[str, Any]:
        account = self.overview.account if self.overview else None
        return {
            "summary": self.summary,
            "intent": self.intent,
            "confidence": round(self.confidence, 3),
            "entities": self.entities,
            "account": None
            if account is None
            else {
                "id": account.id,
                "name": account.name,
                "number": account.account_number,
                "tier": account.tier,
                "vip": account.vip,
            },
            "recent_cases": []
            if self.overview is None
            else [f"{c.number} {c.status.value}: {c.subject}" for c in self.overview.recent_cases],
            "done": list(self.done),
            "next_step": self.next_step,
            "reasons": list(self.reasons),
        }

    def render(self) -> str:
        data = self.as_json()
        account = data["account"]
        lines = [
            "CASE FILE (customer intake agent)",
            f"Summary: {self.summary}",
            f"Intent: {self.intent} (confidence {data['confidence']:.2f})",
            "Entities: "
            + ("; ".join(f"{k}={', '.join(v)}" for k, v in self.entities.items()) or "none found"),
            "Account: "
            + (
                "not identified"
                if account is None
                else f"{account['name']} ({account['number']}), tier {account['tier']}, VIP {account['vip']}"
            ),
            "Recent cases: " + ("; ".join(data["recent_cases"]) or "none"),
            "Done: " + ("; ".join(self.done) or "nothing yet"),
            "Escalation reasons: " + (", ".join(self.reasons) or "none"),
            f"Recommended next step: {self.next_step}",
        ]
        return "\n".join(lines)
