"""From a match decision to the governed actions that carry it out.

The plan is a typed `APPlan` (an `agents.core.Plan`) and goes into the ledger's decision record,
so an agent restarted after a crash re-submits exactly the actions it decided on (the executor
makes that exactly-once) instead of deciding again against an ERP its earlier self already changed.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Literal

from agents.ap.credit_notes import credited_lines
from agents.ap.facts import LineKind
from agents.ap.matcher import CREDIT_OPERATION, MatchDecision
from agents.ap.reasons import HoldReason, erp_hold_text
from agents.core import Connections, Plan, ProposedAction
from connectors.erp.models import InvoiceDraft, InvoiceLine
from governance.action import Action
from governance.operations import bank_account_keys
from governance.policy import AgentPolicy

PlanKind = Literal["pay", "post_and_hold", "credit", "escalate"]
DEFAULT_PAYMENT_DAYS = 30
_CENT = Decimal("0.01")


class APPlan(Plan):
    """Pay, post and hold, book a credit memo, or escalate; `post` is the first governed write and
    the follow-up (payment or hold) is built once the ERP has named the posted document."""

    kind: PlanKind
    post: Action | None = None
    hold_reason: str | None = None
    payment_date: str | None = None
    vendor_id: str | None = None
    reference: str | None = None
    amount: str | None = None
    currency: str | None = None
    bank_accounts: tuple[str, ...] | None = None
    """The vendor's bank accounts when decided: the performer refuses a payment if they changed."""
    credit_for: str | None = None
    """The ERP id of the invoice a credit memo credits."""

    def posting(self) -> Action:
        assert self.post is not None, f"a {self.kind} plan posts nothing"
        return self.post


def invoice_draft(decision: MatchDecision, *, hold_reason: str | None) -> InvoiceDraft:
    """The ERP document: one line per PO line billed, in the PO's unit and price basis.

    Unplanned charges and discounts are distributed over the goods lines in proportion to their
    value (SAP's "distribute unplanned delivery costs" setting), so every line references a PO
    item and the lines still add up to the invoice's net amount.
    """
    facts, vendor, order = decision.facts, decision.vendor.vendor, decision.order
    assert vendor is not None and order is not None and facts.invoice_number and facts.invoice_date
    assert facts.currency and facts.total is not None
    booked = [m for m in decision.lines if m.po_line is not None and m.quantity_in_po_unit is not None]
    values = [m.invoice_line.amount or m.matched_value for m in booked]
    extra = sum(
        (
            -(line.amount or Decimal(0)) if line.kind is LineKind.DISCOUNT else (line.amount or Decimal(0))
            for line in facts.lines
            if line.kind is not LineKind.GOODS
        ),
        facts.charges - facts.allowances,
    )
    shares = _distribute(extra, values)
    lines = []
    for match, value, share in zip(booked, values, shares, strict=True):
        assert match.po_line is not None and match.quantity_in_po_unit is not None
        lines.append(
            InvoiceLine(
                description=match.invoice_line.description[:200] or match.po_line.description,
                quantity=match.quantity_in_po_unit,
                unit_price=match.price_per_po_unit or match.po_line.unit_price,
                amount=value + share,
                po_id=order.id,
                po_line=match.po_line.line,
            )
        )
    return InvoiceDraft(
        vendor_id=vendor.id,
        reference=facts.invoice_number,
        invoice_date=facts.invoice_date,
        currency=facts.currency,
        gross_amount=facts.total,
        tax_amount=facts.tax or 0,
        lines=tuple(lines),
        hold_reason=hold_reason,
    )


def _distribute(amount: Decimal, values: list[Decimal]) -> list[Decimal]:
    """Split `amount` in proportion to `values`, in cents; the last share takes the rounding."""
    if not values:
        return []
    base = sum(values, Decimal(0))
    shares = [(amount * value / base).quantize(_CENT) if base else Decimal(0) for value in values[:-1]]
    return [*shares, amount - sum(shares, Decimal(0))]


def business_key(vendor_id: str, reference: str) -> str:
    return f"ap-invoice:{vendor_id}:{reference}"


def _posting(operation: str, draft: InvoiceDraft, *, agent: str, system: str) -> Action:
    """Amount, currency and vendor are derived from the draft the performer books (governance/operations.py)."""
    return ProposedAction(
        operation=operation,
        target=draft.vendor_id,
        params={"invoice": draft.model_dump(mode="json")},
        business_key=business_key(draft.vendor_id, draft.reference),
    ).to_action(agent, Connections.of(erp=system))


def build_plan(
    decision: MatchDecision, *, agent: str, system: str, policy: AgentPolicy, today: date
) -> APPlan:
    """The plan for `decision`: pay (clean), post blocked and hold, book a credit note as a credit
    memo against its original, or escalate without posting."""
    reasons = decision.reasons
    codes = [reason.value for reason in reasons]
    route = policy.escalation.route_for(codes).model_dump() if codes else None
    kind: PlanKind
    if decision.facts.is_credit_note:
        # A credit is booked clean or not at all: nothing is paid, so there is no payment to block.
        clean = decision.postable and set(reasons) <= {HoldReason.OVER_THRESHOLD}
        kind = "credit" if clean else "escalate"
    elif decision.postable and set(reasons) <= {HoldReason.OVER_THRESHOLD}:
        kind = "pay"  # a clean match; the gate holds whichever action is above its cap for approval
    elif decision.postable and reasons:
        kind = "post_and_hold"
    else:
        kind = "escalate"
    head: dict[str, object] = {
        "kind": kind,
        "outcome": decision.outcome,
        "reasons": codes,
        "rule": decision.rule,
        "route": route,
    }
    if kind == "escalate":
        return APPlan.model_validate(head)
    if kind == "credit":
        return _credit_plan(head, decision, agent=agent, system=system)
    facts = decision.facts
    hold_text = erp_hold_text(reasons) if kind == "post_and_hold" else None
    draft = invoice_draft(decision, hold_reason=hold_text)
    vendor = decision.vendor.vendor
    assert vendor is not None  # a postable decision has a resolved vendor
    due = facts.due_date or draft.invoice_date + timedelta(days=DEFAULT_PAYMENT_DAYS)
    return APPlan.model_validate(
        {
            **head,
            "post": _posting("erp.post_invoice", draft, agent=agent, system=system),
            "hold_reason": hold_text,
            "payment_date": max(due, today).isoformat(),
            "vendor_id": draft.vendor_id,
            "reference": draft.reference,
            "amount": str(draft.gross_amount),
            "currency": draft.currency,
            "bank_accounts": bank_account_keys(vendor.bank_accounts),
        }
    )


def credit_memo_draft(decision: MatchDecision) -> InvoiceDraft:
    """The ERP credit memo: positive amounts, on the original's lines, naming the original's ERP id."""
    facts, vendor, original = decision.facts, decision.vendor.vendor, decision.original
    assert vendor is not None and original is not None and facts.invoice_number and facts.invoice_date
    assert facts.currency and facts.total is not None
    lines = credited_lines(facts, original)
    assert lines is not None  # a postable credit note's lines all fit the original
    return InvoiceDraft(
        vendor_id=vendor.id,
        reference=facts.invoice_number,
        invoice_date=facts.invoice_date,
        currency=facts.currency,
        gross_amount=facts.total,
        tax_amount=facts.tax or 0,
        lines=tuple(lines),
        credit_memo=True,
        credit_for=original.id,
    )


def _credit_plan(head: dict[str, object], decision: MatchDecision, *, agent: str, system: str) -> APPlan:
    draft = credit_memo_draft(decision)
    return APPlan.model_validate(
        {
            **head,
            # A credit operation with its own cap.
            "post": _posting(CREDIT_OPERATION, draft, agent=agent, system=system),
            "hold_reason": None,
            "vendor_id": draft.vendor_id,
            "reference": draft.reference,
            "amount": str(draft.gross_amount),
            "currency": draft.currency,
            "credit_for": draft.credit_for,
        }
    )


def follow_up_action(plan: APPlan, document_id: str) -> Action:
    """The action after posting: schedule payment (clean) or put the posted invoice on hold."""
    post = plan.posting()
    key = business_key(str(plan.vendor_id), str(plan.reference))
    if plan.kind == "pay":
        # The payment pays exactly the posted amount to the bank accounts on file when it was decided;
        # the performer re-reads both and refuses if either changed.
        return Action(
            agent=post.agent,
            system=post.system,
            operation="erp.schedule_payment",
            target=document_id,
            params={
                "payment_date": plan.payment_date,
                "amount": str(post.amount),
                "currency": post.currency,
                "vendor_id": post.counterparty,
                "bank_accounts": list(plan.bank_accounts or []),
            },
            business_key=f"{key}:payment",
        )
    return Action(
        agent=post.agent,
        system=post.system,
        operation="erp.hold_invoice",
        target=document_id,
        params={
            "reason": plan.hold_reason,
            "reason_codes": list(plan.reasons),
            "vendor_id": post.counterparty,
        },
        business_key=f"{key}:hold",
    )
