"""What the console's "correct the label" form shows for a transaction (None when it has none).

A transaction whose agent decided a label (the service desk's category, intake's intent) can be
relabelled by an approver: the route (`routes_labels`) records a ledger correction and a training
example for `opspack models retrain` (`agents.perception.label_corrections`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from agents.perception.label_corrections import classified_text, decided_label
from governance.ledger import LedgerRecord
from opspack.console.users import Role


def relabel_form(records: Sequence[LedgerRecord], user: Any) -> dict[str, Any] | None:
    """The form's facts: the agent, its label and the text; None when there is nothing to relabel
    or the user may not correct."""
    if not user.role.includes(Role.APPROVER):
        return None
    decisions = [r for r in records if r.kind == "decision" and r.agent]
    label = decided_label(decisions[-1]) if decisions else None
    text = classified_text(records)
    if label is None or text is None:
        return None
    return {"agent": decisions[-1].agent, "label": label, "text": text}
