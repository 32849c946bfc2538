"""The case file: what a person needs to take over a ticket, in one work note.

Category and confidence, the entities and how they were matched, what was looked up, what was
tried and how it ended, why the agent stopped, the SLA clock and the suggested next step. The
text depends only on the stored plan and the actions' settled outcomes, so a retried write finds
its earlier copy instead of posting a second one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from agents.service_desk.plan import Plan

REASON_TEXT: dict[str, str] = {
    "reopened": "the caller re-opened the ticket after an earlier resolution",
    "prompt_injection": "the ticket text tries to instruct the agent (prompt injection)",
    "identity_claim": "the ticket claims an identity or authority the caller record does not show",
    "credential_channel": "the ticket asks for a credential through a channel the policy does not allow",
    "requester_unknown": "the caller is not a known ITSM user",
    "requester_unverified": "the caller has no exact match in the directory (login or e-mail)",
    "requester_inactive": "the caller's account is not active",
    "target_not_requester": "the request is for someone other than the caller",
    "target_unresolved": "the ticket names someone the directory cannot identify exactly",
    "several_targets": "the ticket names several people",
    "privileged_account": "the account is a member of a privileged group (Tier-0 path)",
    "account_not_resettable": "the account's state does not allow a password reset",
    "account_suspended": "the account is suspended or deprovisioned; it is never unlocked here",
    "account_not_locked": "the account is not locked out",
    "no_group_named": "no directory group or access item could be identified",
    "several_groups": "several groups are named and not all of them are self-service",
    "group_not_self_service": "the group is not on the self-service list",
    "pressure_on_privileged": "urgency or third-party pressure on a privileged request",
    "not_in_catalogue": "the software is not in the catalogue",
    "several_items": "several catalogue items are named",
    "several_requests": "the ticket asks for several different things in one",
    "not_a_question": "the ticket asks for something to be done, not a question an article answers",
    "no_kb_answer": "no knowledge article answers the question with confidence",
    "no_po_number": "no purchase order number in the ticket",
    "po_not_found": "the purchase order is not in the ERP",
    "po_change_request": "the ticket asks to change an order, not for its status",
    "no_playbook": "the agent has no playbook for this category",
    "low_confidence": "the category is below the confidence threshold",
    "out_of_scope": "the ticket fits none of the categories",
    "approval_required": "a governed action waits for its approver",
    "approval_rejected": "the approver rejected the held action",
    "approval_expired": "the approval request expired or went stale",
    "action_denied": "the policy denied a planned action",
    "action_failed": "the target system refused a planned action",
    "action_unknown": "a planned action's outcome could not be confirmed",
}


@dataclass(frozen=True)
class CaseFile:
    ticket: str
    summary: str
    plan: Plan
    tried: tuple[tuple[str, str], ...]
    """(what, settled outcome) of every planned action so far."""
    reasons: tuple[str, ...]
    next_step: str
    approval_id: str | None = None

    def as_json(self) -> dict[str, Any]:
        facts = self.plan.facts
        return {
            "ticket": self.ticket,
            "summary": self.summary,
            "category": self.plan.category,
            "confidence": round(self.plan.confidence, 3),
            "requester": self.plan.requester,
            "target": self.plan.target,
            "entities": facts.get("entities", {}),
            "signals": facts.get("understanding", {}).get("signals", {}),
            "looked_up": list(self.plan.looked_up),
            "tried": [f"{what}: {status}" for what, status in self.tried],
            "reasons": list(self.reasons),
            "assignment_group": self.plan.assignment_group,
            "approval_id": self.approval_id,
            "sla": facts.get("sla"),
            "next_step": self.next_step,
        }

    def render(self) -> str:
        data = self.as_json()
        entities = data["entities"]
        entity_text = "; ".join(
            f"{name}: {', '.join(_show(v) for v in values)}" for name, values in entities.items() if values
        )
        sla = data["sla"] or {}
        why = [f"{code} -- {REASON_TEXT.get(code, code.replace('_', ' '))}" for code in self.reasons]
        lines = [
            "CASE FILE (service desk agent)",
            f"Ticket: {self.ticket} -- {self.summary}",
            f"Category: {self.plan.category} (confidence {self.plan.confidence:.2f})",
            f"Requester: {self.plan.requester or 'not verified'}; target: {self.plan.target or 'none'}",
            f"Entities: {entity_text or 'none found'}",
            "Signals: " + ("; ".join(f"{k}: {', '.join(v)}" for k, v in data["signals"].items()) or "none"),
            "Looked up: " + ("; ".join(self.plan.looked_up) or "nothing"),
            "Tried: " + ("; ".join(data["tried"]) or "nothing (no action was taken)"),
            "Why it stopped: " + ("; ".join(why) or "it did not: resolved by the agent"),
            f"SLA: {sla.get('describe', 'not tracked')}",
            f"Assignment group: {self.plan.assignment_group}",
        ]
        if self.approval_id:
            lines.append(f"Approval request: {self.approval_id}")
        lines.append(f"Suggested next step: {self.next_step}")
        return "\n".join(lines)


def _show(value: Any) -> str:
    if isinstance(value, dict):
        login = value.get("login")
        return f"{value.get('written')} ({value.get('how')}{' -> ' + login if login else ', unresolved'})"
    return str(value)
