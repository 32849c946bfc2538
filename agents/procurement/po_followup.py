"""PO follow-up: open orders past their delivery date without (full) receipt.

For each such order the agent drafts a status request to the supplier and proposes a PO status
update as a governed ``erp.update_po_status`` action. The vendor-neutral model knows two PO
states, so the proposal is: keep it ``open`` with the follow-up recorded (delivery still
expected), or ``closed`` when nothing at all was received `close_after_days` after the latest due
date (a stale order: close it and re-order if still needed). The example policy runs this
operation in shadow, so it earns autonomy before it acts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from connectors.erp.models import PurchaseOrder, PurchaseOrderStatus
from connectors.erp.protocol import PayablesERP
from connectors.readonly import read_only_erp
from governance.action import Action, sha256_hex
from governance.runtime import Governor, Outcome
from observability.tracing import step
from observability.tracing import transaction as traced

AGENT = "procurement"
CLOSE_AFTER_DAYS = 90


@dataclass(frozen=True)
class LateLine:
    line: str
    description: str
    ordered: Decimal
    received: Decimal
    unit: str
    due: date
    days_late: int


@dataclass(frozen=True)
class OverdueOrder:
    """An open PO with at least one line past due and not fully received."""

    po_id: str
    vendor_id: str
    vendor_name: str
    lines: tuple[LateLine, ...]
    nothing_received: bool

    @property
    def days_late(self) -> int:
        return max(line.days_late for line in self.lines)


def find_overdue(erp: PayablesERP, today: date) -> list[OverdueOrder]:
    """Open orders with lines due before `today` whose receipts fall short of the ordered quantity."""
    found = []
    for order in erp.list_purchase_orders(status=PurchaseOrderStatus.OPEN):
        receipts = erp.list_goods_receipts(order.id)
        received: dict[str, Decimal] = {}
        for receipt in receipts:
            received[receipt.po_line] = received.get(receipt.po_line, Decimal(0)) + receipt.quantity
        late = tuple(
            LateLine(
                line.line,
                line.description,
                line.quantity,
                received.get(line.line, Decimal(0)),
                line.unit,
                line.delivery_date,
                (today - line.delivery_date).days,
            )
            for line in order.lines
            if line.delivery_date is not None
            and line.delivery_date < today
            and received.get(line.line, Decimal(0)) < line.quantity
        )
        if late:
            found.append(
                OverdueOrder(order.id, order.vendor_id, _vendor_name(erp, order), late, not receipts)
            )
    return found


def _vendor_name(erp: PayablesERP, order: PurchaseOrder) -> str:
    try:
        return erp.get_vendor(order.vendor_id).name
    except Exception:
        return order.vendor_id


def draft_status_request(order: OverdueOrder, today: date, buyer: str = "Procurement") -> str:
    """The e-mail text asking the supplier for a delivery status (plain text, one line per item)."""
    items = "\n".join(
        f"  - line {line.line}: {line.description} -- ordered {line.ordered} {line.unit}, "
        f"received {line.received}, due {line.due.isoformat()} ({line.days_late} days ago)"
        for line in order.lines
    )
    return (
        f"Subject: Delivery status request -- purchase order {order.po_id}\n\n"
        f"Dear {order.vendor_name},\n\n"
        f"According to our records the following items of purchase order {order.po_id} are past their "
        f"agreed delivery date and have not been received in full:\n{items}\n\n"
        "Please confirm the expected delivery date for each open item, or let us know if the order "
        "cannot be fulfilled.\n\n"
        f"Kind regards,\n{buyer}\n(sent {today.isoformat()})"
    )


def proposed_action(
    order: OverdueOrder, request: str, *, system: str, today: date, close_after_days: int
) -> Action:
    """Close a stale order with nothing received; otherwise keep it open with the follow-up recorded."""
    stale = order.nothing_received and order.days_late > close_after_days
    params: dict[str, str | int] = {
        "status": PurchaseOrderStatus.CLOSED.value if stale else PurchaseOrderStatus.OPEN.value,
        "follow_up": "close_stale_order" if stale else "status_requested",
        "days_late": order.days_late,
        "request_sha256": sha256_hex(request),
        "vendor_id": order.vendor_id,
    }
    return Action(
        agent=AGENT,
        system=system,
        operation="erp.update_po_status",
        target=order.po_id,
        params=params,
        business_key=f"po-follow-up:{order.po_id}:{today.isoformat()}",
    )


@dataclass(frozen=True)
class FollowUp:
    order: OverdueOrder
    request: str
    action: Action
    outcome: Outcome | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "po_id": self.order.po_id,
            "vendor_id": self.order.vendor_id,
            "vendor": self.order.vendor_name,
            "late_lines": len(self.order.lines),
            "days_late": self.order.days_late,
            "proposed_status": self.action.params["status"],
            "outcome": self.outcome.status if self.outcome else "not submitted",
            "request": self.request,
        }


def follow_up(
    erp: PayablesERP,
    today: date,
    *,
    governor: Governor | None = None,
    system: str = "sap",
    close_after_days: int = CLOSE_AFTER_DAYS,
) -> list[FollowUp]:
    """Flag, draft and (through governance, when a governor is given) update every overdue PO."""
    erp = read_only_erp(erp)  # the status change is an Action; only the Governor's performer writes
    results = []
    for order in find_overdue(erp, today):
        request = draft_status_request(order, today)
        action = proposed_action(
            order, request, system=system, today=today, close_after_days=close_after_days
        )
        outcome = None
        if governor is not None:
            transaction = f"po-follow-up-{order.po_id}-{today.isoformat()}"
            with traced(transaction, agent=AGENT, po=order.po_id) as span:
                with step("intake"):
                    governor.ledger.append(
                        transaction,
                        "intake",
                        {"po_id": order.po_id, "vendor_id": order.vendor_id, "late_lines": len(order.lines)},
                        agent=AGENT,
                    )
                with step("decide"):
                    governor.ledger.append(
                        transaction,
                        "decision",
                        {
                            "rule": "po.overdue_without_receipt",
                            "rationale": f"{len(order.lines)} line(s) up to {order.days_late} days late",
                            "status_request": request,
                            "action_digest": action.digest_for(governor.policy.version),
                            "proposed": {
                                "operation": action.operation,
                                "target": action.target,
                                "status": action.params["status"],
                            },
                        },
                        agent=AGENT,
                    )
                outcome = governor.submit(action, transaction_id=transaction)
                span.set_attribute("opspack.status", outcome.status)
        results.append(FollowUp(order, request, action, outcome))
    return results
