"""Tool definitions for every operation the performers carry out, for any connection.

`SPECS` has one entry per operation the performers carry out (each ``perform_<verb>`` method of
`agents.performers` and the intake reply performer); `agents.governed_tools.wiring` reads the
performers and refuses to build tools while the two lists differ, so no operation goes missing. For each one this module
declares the arguments the model fills and how they become the action's target, business key
and parameters -- with the parameter names the performers read and the policy's
``guarded_values`` rules guard (``add_to_group`` sends ``group_name`` as the directory spells it,
and the performer refuses a name that is not the group's). Amount, currency and counterparty are
never tool arguments of their own: `Action` derives them from the parameters through
`governance.operations`, exactly as for the ready-made agents.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel

from agents.governed_tools.arguments import (
    AssignArgs,
    BlockVendorArgs,
    CancelSubscriptionArgs,
    CaseCommentArgs,
    CatalogRequestArgs,
    CreateCaseArgs,
    CreditMemoArgs,
    GroupMembershipArgs,
    HoldInvoiceArgs,
    InvoiceVendorArgs,
    MergeVendorsArgs,
    POStatusArgs,
    PostCreditMemoArgs,
    PostInvoiceArgs,
    ResetPasswordArgs,
    ResolveArgs,
    SchedulePaymentArgs,
    SendReplyArgs,
    SpendCategoryArgs,
    TicketTextArgs,
    UpdateCaseArgs,
    UpdateContactArgs,
    UpdateVendorArgs,
    UserTicketArgs,
)
from agents.governed_tools.core import ActionShape, GovernedOperation
from governance.operations import spec_for

Clock = Callable[[], datetime]


def _digest(*parts: object) -> str:
    return hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class ToolSpec:
    """How the model calls one operation: tool name, description, arguments, and the shaping."""

    tool_name: str
    description: str
    args_schema: type[BaseModel]
    shape: Callable[[Any, Clock], ActionShape]


def _none_dropped(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if v is not None}


def _json(value: BaseModel) -> dict[str, Any]:
    return _none_dropped(value.model_dump(mode="json"))


SPECS: dict[str, ToolSpec] = {
    "directory.reset_password": ToolSpec(
        "reset_password",
        "Issue a password reset for a user (the directory e-mails the link).",
        ResetPasswordArgs,
        lambda a, now: ActionShape(
            a.user_id,
            f"reset:{a.user_id}:{a.ticket}",
            {"ticket": a.ticket, "send_email": a.send_email, "not_before": now().isoformat()},
        ),
    ),
    "directory.unlock": ToolSpec(
        "unlock_account",
        "Clear a sign-in lockout for a user.",
        UserTicketArgs,
        lambda a, now: ActionShape(a.user_id, f"unlock:{a.user_id}:{a.ticket}", {"ticket": a.ticket}),
    ),
    "directory.add_group_member": ToolSpec(
        "add_to_group",
        "Add a user to a group (grants the group's access). Privileged groups wait for their owner.",
        GroupMembershipArgs,
        lambda a, now: ActionShape(
            a.user_id,
            f"member:{a.group_id}:{a.user_id}:{a.ticket}",
            {"ticket": a.ticket, "group_id": a.group_id, "group_name": a.group_name},
        ),
    ),
    "directory.remove_group_member": ToolSpec(
        "remove_from_group",
        "Remove a user from a group.",
        GroupMembershipArgs,
        lambda a, now: ActionShape(
            a.user_id,
            f"unmember:{a.group_id}:{a.user_id}:{a.ticket}",
            {"ticket": a.ticket, "group_id": a.group_id, "group_name": a.group_name},
        ),
    ),
    "itsm.comment": ToolSpec(
        "comment_on_ticket",
        "Add a comment the caller sees to a ticket.",
        TicketTextArgs,
        lambda a, now: ActionShape(a.ticket, f"comment:{a.ticket}:{_digest(a.body)}", {"body": a.body}),
    ),
    "itsm.work_note": ToolSpec(
        "add_work_note",
        "Add an internal work note to a ticket.",
        TicketTextArgs,
        lambda a, now: ActionShape(a.ticket, f"work-note:{a.ticket}:{_digest(a.body)}", {"body": a.body}),
    ),
    "itsm.assign": ToolSpec(
        "assign_ticket",
        "Assign a ticket to a group.",
        AssignArgs,
        lambda a, now: ActionShape(a.ticket, f"assign:{a.ticket}:{a.group}", {"group": a.group}),
    ),
    "itsm.resolve": ToolSpec(
        "resolve_ticket",
        "Resolve a ticket with a close code and notes.",
        ResolveArgs,
        lambda a, now: ActionShape(
            a.ticket,
            f"resolve:{a.ticket}",
            {"resolution": {"close_code": a.close_code, "close_notes": a.close_notes}},
        ),
    ),
    "itsm.create_catalog_request": ToolSpec(
        "create_catalog_request",
        "Order a catalogue item for a person.",
        CatalogRequestArgs,
        lambda a, now: ActionShape(
            a.ticket,
            f"catalog:{a.ticket}:{a.item}:{a.requested_for}",
            {"request": {k: v for k, v in _json(a).items() if k != "ticket"}},
        ),
    ),
    "crm.create_case": ToolSpec(
        "create_case",
        "Open a customer case.",
        CreateCaseArgs,
        lambda a, now: ActionShape(
            a.source_id,
            f"case:{a.source_id}",
            {"case": {k: v for k, v in _json(a).items() if k != "source_id"}},
        ),
    ),
    "crm.update_case": ToolSpec(
        "update_case",
        "Change a case's status, priority, queue or description.",
        UpdateCaseArgs,
        lambda a, now: ActionShape(
            a.case_id,
            f"case-update:{a.case_id}:{_digest(sorted(_json(a).items()))}",
            {"update": {k: v for k, v in _json(a).items() if k != "case_id"}},
        ),
    ),
    "crm.comment": ToolSpec(
        "comment_on_case",
        "Add a comment to a case (public: visible to the customer).",
        CaseCommentArgs,
        lambda a, now: ActionShape(
            a.case_id, f"case-comment:{a.case_id}:{_digest(a.body)}", {"body": a.body, "public": a.public}
        ),
    ),
    "crm.send_reply": ToolSpec(
        "send_reply",
        "Send the customer a reply on their case.",
        SendReplyArgs,
        lambda a, now: ActionShape(
            a.case_id, f"reply:{a.case_id}:{_digest(a.body)}", _none_dropped({"body": a.body, "to": a.to})
        ),
    ),
    "crm.update_contact": ToolSpec(
        "update_contact",
        "Change a contact's phone number.",
        UpdateContactArgs,
        lambda a, now: ActionShape(
            a.contact_id, f"contact:{a.contact_id}:{_digest(a.phone)}", {"update": {"phone": a.phone}}
        ),
    ),
    "erp.post_invoice": ToolSpec(
        "post_invoice",
        "Post a supplier invoice.",
        PostInvoiceArgs,
        lambda a, now: ActionShape(a.reference, f"{a.vendor_id}/{a.reference}/post", {"invoice": _json(a)}),
    ),
    "erp.post_credit_memo": ToolSpec(
        "post_credit_memo",
        "Post a supplier credit note as a credit memo against the posted invoice it credits.",
        PostCreditMemoArgs,
        lambda a, now: ActionShape(
            a.credit_for,
            f"{a.vendor_id}/{a.reference}/credit",
            {"invoice": {**_json(a), "credit_memo": True}},
        ),
    ),
    "erp.hold_invoice": ToolSpec(
        "hold_invoice",
        "Block a supplier invoice for payment.",
        HoldInvoiceArgs,
        lambda a, now: ActionShape(
            a.invoice_id,
            f"{a.vendor_id}/{a.invoice_id}/hold",
            {"reason": a.reason, "vendor_id": a.vendor_id},
        ),
    ),
    "erp.release_invoice": ToolSpec(
        "release_invoice",
        "Release a supplier invoice's payment block.",
        InvoiceVendorArgs,
        lambda a, now: ActionShape(
            a.invoice_id, f"{a.vendor_id}/{a.invoice_id}/release", {"vendor_id": a.vendor_id}
        ),
    ),
    "erp.schedule_payment": ToolSpec(
        "schedule_payment",
        "Schedule payment of a posted supplier invoice.",
        SchedulePaymentArgs,
        lambda a, now: ActionShape(
            a.invoice_id,
            f"{a.vendor_id}/{a.invoice_id}/payment",
            {k: v for k, v in _json(a).items() if k != "invoice_id"},
        ),
    ),
    "erp.set_spend_category": ToolSpec(
        "set_spend_category",
        "Set the spend category of a spend line.",
        SpendCategoryArgs,
        lambda a, now: ActionShape(a.line_id, f"spend:{a.line_id}:{a.category}", {"category": a.category}),
    ),
    "erp.update_po_status": ToolSpec(
        "update_po_status",
        "Keep a purchase order open (follow-up recorded) or close it.",
        POStatusArgs,
        lambda a, now: ActionShape(
            a.po_id,
            f"po-status:{a.po_id}:{a.status}:{now().date().isoformat()}",
            {k: v for k, v in _json(a).items() if k != "po_id"},
        ),
    ),
    "erp.update_vendor": ToolSpec(
        "update_vendor",
        "Change a vendor's tax id, or its bank account (give exactly one).",
        UpdateVendorArgs,
        lambda a, now: ActionShape(
            a.vendor_id,
            f"vendor-update:{a.vendor_id}:{_digest(a.tax_id, a.iban, a.bank_code)}",
            {"tax_id": a.tax_id}
            if a.tax_id is not None
            else {"bank_account": _none_dropped({"iban": a.iban, "bank_code": a.bank_code})},
        ),
    ),
    "erp.block_vendor": ToolSpec(
        "block_vendor",
        "Block a vendor for new purchases and payments.",
        BlockVendorArgs,
        lambda a, now: ActionShape(a.vendor_id, f"vendor-block:{a.vendor_id}", {"reason": a.reason}),
    ),
    "erp.merge_vendors": ToolSpec(
        "merge_vendors",
        "Merge duplicate vendors into a surviving one (the duplicates are blocked).",
        MergeVendorsArgs,
        lambda a, now: ActionShape(
            a.survivor_id,
            f"vendor-merge:{a.survivor_id}:{'+'.join(a.duplicates)}",
            {"duplicates": list(a.duplicates)},
        ),
    ),
    "erp.create_credit_memo": ToolSpec(
        "create_credit_memo",
        "Credit a customer (one credit per case).",
        CreditMemoArgs,
        lambda a, now: ActionShape(
            a.customer_id,
            f"credit:{a.case_id}",
            {"credit_memo": {k: v for k, v in _json(a).items() if k != "case_id"}},
        ),
    ),
    "erp.cancel_subscription": ToolSpec(
        "cancel_subscription",
        "Stop a subscription's renewal (service runs to the end of the period).",
        CancelSubscriptionArgs,
        lambda a, now: ActionShape(
            a.subscription_id,
            f"cancel:{a.subscription_id}",
            {"reason": a.reason, "customer_id": a.customer_id},
        ),
    ),
}
"""Operation → how the model calls it."""


def _describe(operation: str, spec: ToolSpec) -> str:
    money = spec_for(operation)
    judged = []
    if money.amount:
        judged.append(f"amount from {money.amount}")
    if money.counterparty and money.counterparty != "target":
        judged.append(f"counterparty from {money.counterparty}")
    suffix = f" Policy judges the {' and '.join(judged)}." if judged else ""
    return f"{spec.description}{suffix} Every call is checked by policy before anything changes."


def operations_for(
    kind: str, system: str, *, only: set[str] | None = None, clock: Clock | None = None
) -> list[GovernedOperation]:
    """A `GovernedOperation` for every performer operation of `kind` on connection `system`
    (restricted to `only` when given, e.g. what the policy grants the agent)."""
    now: Clock = clock or (lambda: datetime.now(UTC))
    operations = []
    for operation, spec in sorted(SPECS.items()):
        if operation.partition(".")[0] != kind or (only is not None and operation not in only):
            continue
        shape = spec.shape
        operations.append(
            GovernedOperation(
                spec.tool_name,
                _describe(operation, spec),
                operation,
                system,
                spec.args_schema,
                (lambda args, shape=shape: shape(args, now)),  # type: ignore[misc]
            )
        )
    return operations


def directory_operations(system: str, *, clock: Clock | None = None) -> list[GovernedOperation]:
    """Reset password, unlock and group add/remove on directory connection `system`."""
    return operations_for("directory", system, clock=clock)
