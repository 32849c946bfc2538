"""`InvoiceConformance`: posting, holding, releasing and paying supplier invoices, credit memos, and
who did it when -- the part of `ERPConformance` every AP write path must show.

Besides `connector` a test class provides `clerk`: a connector to the same ERP logged on as a
person (`CLERK_USER`), the way a clerk releases a held invoice in the ERP's own screens. An ERP
may post a clean invoice payable at once (`InvoiceStatus.POSTED`) or blocked until the agent
releases it for payment (`InvoiceStatus.AWAITING_RELEASE`, SAP's post-with-block); either way
`schedule_payment` is what makes it paid or payable by the payment run. Set
`pays_on_requested_date = False` for an ERP whose payment run picks the date (SAP F110).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from connectors.erp.models import InvoiceDraft, InvoiceLine, InvoiceStatus, PurchaseOrder
from connectors.erp.protocol import ERPConnector
from connectors.errors import ConflictError, NotFoundError, RejectedError

PAY_DATE = date(2024, 9, 30)
CLERK_USER = "CLERK01"
"""The person's user name in every ERP the suite runs against (mock user / employee)."""


def draft_for(order: PurchaseOrder, reference: str, **changes: object) -> InvoiceDraft:
    """An invoice for the whole order, net plus 19.00 tax; `changes` override any field."""
    lines = tuple(
        InvoiceLine(
            description=line.description,
            quantity=line.quantity,
            unit_price=line.unit_price,
            amount=(line.quantity * line.unit_price).quantize(Decimal("0.01")),
            po_id=order.id,
            po_line=line.line,
        )
        for line in order.lines
    )
    net = sum((line.amount for line in lines), Decimal("0"))
    fields: dict[str, object] = {
        "vendor_id": order.vendor_id,
        "reference": reference,
        "invoice_date": date(2024, 9, 1),
        "currency": order.currency,
        "gross_amount": net + Decimal("19.00"),
        "tax_amount": Decimal("19.00"),
        "lines": lines,
    }
    fields.update(changes)
    return InvoiceDraft.model_validate(fields)


class InvoiceConformance:
    pays_on_requested_date = True

    @pytest.fixture
    def clerk(self) -> ERPConnector:
        pytest.fail(f"{type(self).__name__} must provide a `clerk` fixture (the ERP as {CLERK_USER})")

    def test_post_then_pay(self, connector: ERPConnector, open_order: PurchaseOrder) -> None:
        invoice = connector.create_invoice(draft_for(open_order, "CONF-PAY"))
        assert invoice.status in (InvoiceStatus.POSTED, InvoiceStatus.AWAITING_RELEASE)
        assert invoice.hold_reason is None and not invoice.credit_memo
        assert invoice.created_by and invoice.created_by != CLERK_USER and invoice.created_at is not None
        assert connector.find_payment_for_invoice(invoice.id) is None
        payment = connector.schedule_payment(invoice.id, payment_date=PAY_DATE)
        assert payment.invoice_id == invoice.id and payment.vendor_id == invoice.vendor_id
        assert payment.amount == invoice.gross_amount and payment.currency == invoice.currency
        if self.pays_on_requested_date:
            assert payment.payment_date == PAY_DATE
        assert connector.find_payment_for_invoice(invoice.id) == payment
        assert connector.get_invoice(invoice.id).status is InvoiceStatus.POSTED
        with pytest.raises(ConflictError):
            connector.schedule_payment(invoice.id, payment_date=PAY_DATE)

    def test_held_at_posting_then_released_by_a_clerk(
        self, connector: ERPConnector, clerk: ERPConnector, open_order: PurchaseOrder
    ) -> None:
        invoice = connector.create_invoice(
            draft_for(open_order, "CONF-HELD", hold_reason="quantity variance")
        )
        assert invoice.status is InvoiceStatus.ON_HOLD and invoice.hold_reason == "quantity variance"
        assert invoice.released_by is None and invoice.released_at is None
        again = connector.hold_invoice(invoice.id, "quantity variance")
        assert again.status is InvoiceStatus.ON_HOLD, "holding a held invoice keeps it held"
        with pytest.raises(RejectedError):
            connector.schedule_payment(invoice.id, payment_date=PAY_DATE)
        assert connector.find_payment_for_invoice(invoice.id) is None
        released = clerk.release_invoice(invoice.id)
        assert released.status is InvoiceStatus.POSTED and released.hold_reason is None
        seen = connector.get_invoice(invoice.id)
        assert seen.status is InvoiceStatus.POSTED
        assert seen.released_by == CLERK_USER and seen.changed_by == CLERK_USER
        assert seen.released_at is not None and seen.created_at is not None
        assert seen.released_at >= seen.created_at
        assert seen.created_by == invoice.created_by != CLERK_USER
        assert clerk.release_invoice(invoice.id).released_at == seen.released_at, (
            "a second release changes nothing"
        )

    def test_credit_memo_against_the_original(
        self, connector: ERPConnector, open_order: PurchaseOrder
    ) -> None:
        original = connector.create_invoice(draft_for(open_order, "CONF-ORIG"))
        line = original.lines[0]
        credit = connector.create_invoice(
            draft_for(
                open_order,
                "CONF-CN1",
                credit_memo=True,
                credit_for=original.id,
                lines=(line.model_copy(update={"quantity": Decimal("1"), "amount": line.unit_price}),),
                gross_amount=line.unit_price,
                tax_amount=Decimal("0"),
            )
        )
        assert credit.credit_memo and credit.credit_for == original.id
        assert credit.gross_amount == line.unit_price and credit.status is not InvoiceStatus.ON_HOLD
        assert connector.get_invoice(credit.id) == credit
        assert connector.find_invoice(open_order.vendor_id, "CONF-CN1") == credit
        with pytest.raises(RejectedError):
            connector.schedule_payment(credit.id, payment_date=PAY_DATE)
        with pytest.raises((RejectedError, NotFoundError)):
            connector.create_invoice(
                draft_for(open_order, "CONF-CN2", credit_memo=True, credit_for="9999999999", lines=())
            )
