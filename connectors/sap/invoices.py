"""Supplier invoices and their payment on S/4HANA: `SapInvoices`, the AP half of `SapS4HanaAdapter`.

Only released APIs by default (``payment_handoff = "payment_run"``):

- **Post with a payment block.** ``POST A_SupplierInvoice`` (API_SUPPLIERINVOICE_PROCESS_SRV, deep
  create) always carries ``PaymentBlockingReason = 'R'``: with the hold reason in
  ``DocumentHeaderText`` when the agent holds the invoice (`InvoiceStatus.ON_HOLD`), without one
  when it waits for the agent's release for payment (`InvoiceStatus.AWAITING_RELEASE`). A posted
  invoice is never PATCHed (S/4 does not allow it): holding an invoice that is blocked already
  changes nothing; holding one that was released is refused (block it in the payment proposal).
- **Release.** The ``Release`` function import lifts the block (MRBR); it is how a held invoice is
  released when its hold is cleared, and how ``schedule_payment`` releases an invoice for payment.
- **Payment run.** ``schedule_payment`` is *release for payment*: after the release the invoice is
  open and unblocked, and the customer's F110 payment run pays it on its net due date
  (``DueCalculationBaseDate`` + ``NetPaymentDays``). The `Payment` returned describes that hand-off
  (id ``F110:<invoice>``); `find_payment_for_invoice` finds it for every released, payable invoice.
- **Credit memos.** ``SupplierInvoiceIsCreditMemo = 'X'`` with ``InvoiceReference`` /
  ``InvoiceReferenceFiscalYear`` naming the credited invoice; never paid through the agent.
- **Who and when.** The released API carries no user and only an entry date. Who entered,
  blocked or released an invoice and when comes from its change documents (object class
  INCOMINGINVOICE), read through a key-user custom CDS view exposed as an API
  (``change_document_service``, default ``YY1_SUPLRINVCCHANGEDOC_CDS``). Without that view the
  invoice reads fine but has no who/when (and no human outcome can be read from SAP).

``payment_handoff = "z_service"`` keeps the earlier option: invoices are posted without a block
unless held, and ``schedule_payment`` creates a proposal in a customer (Z) Gateway service
(``payment_service``, default ZOPSPACK_PAYMENT_SRV), which the customer must build.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, Literal

from connectors.erp.models import (
    InvoiceDraft,
    InvoiceStatus,
    Payment,
    SupplierInvoice,
    Vendor,
    hold_reason_problem,
    not_payable_problem,
)
from connectors.errors import ConflictError, ConnectorError, NotFoundError, RejectedError
from connectors.http import VendorHttp
from connectors.sap import mapping
from connectors.sap.odata import ODataService, literal, sap_date, to_date, to_datetime, to_decimal

PaymentHandoff = Literal["payment_run", "z_service"]
PAYMENT_HANDOFFS: tuple[PaymentHandoff, ...] = ("payment_run", "z_service")
_INVOICE_EXPAND = "to_SuplrInvcItemPurOrdRef,to_SupplierInvoiceTax"
_DUPLICATE_INVOICE = "M8/108"
_CHANGE_DOCS = "YY1_SuplrInvcChangeDoc"
_BLOCK_FIELD = "ZLSPR"
"""BSEG-ZLSPR / RBKP-ZLSPR: the payment block key, the field a release changes."""


class SapInvoices:
    """Needs the adapter's `http` and `_error`; the adapter calls `_init_invoices`."""

    http: VendorHttp
    company_code: str
    tax_code: str
    payment_method: str

    if TYPE_CHECKING:  # provided by the adapter

        def _error(self, cls: type[ConnectorError], message: str, endpoint: str) -> ConnectorError: ...

        def get_vendor(self, vendor_id: str) -> Vendor: ...

    def _init_invoices(
        self, sap_client: str | None, payment_handoff: str, payment_service: str, change_document_service: str
    ) -> None:
        if payment_handoff not in PAYMENT_HANDOFFS:
            raise ValueError(
                f"payment_handoff must be one of {', '.join(PAYMENT_HANDOFFS)}, not {payment_handoff!r}"
            )
        self.payment_handoff = payment_handoff
        self.invoicing = ODataService(self.http, "API_SUPPLIERINVOICE_PROCESS_SRV", sap_client=sap_client)
        self.payments = ODataService(self.http, payment_service, sap_client=sap_client)
        self.change_documents = ODataService(self.http, change_document_service, sap_client=sap_client)

    # --- reads ---------------------------------------------------------------------------------
    def _invoice_keys(self, invoice_id: str) -> dict[str, str]:
        number, _, year = invoice_id.partition("/")
        if year:
            return {"SupplierInvoice": number, "FiscalYear": year}
        found = list(
            self.invoicing.collection(
                "A_SupplierInvoice",
                filter=f"SupplierInvoice eq {literal(number)}",
                select="SupplierInvoice,FiscalYear",
            )
        )
        if not found:
            raise self._error(
                NotFoundError, f"supplier invoice {invoice_id!r} does not exist", "GET A_SupplierInvoice"
            )
        return {
            "SupplierInvoice": str(found[0]["SupplierInvoice"]),
            "FiscalYear": str(found[0]["FiscalYear"]),
        }

    def _with_history(self, entity: dict[str, Any]) -> SupplierInvoice:
        invoice = mapping.invoice_from(entity)
        return invoice.model_copy(update=self._history(entity))

    def _history(self, entity: dict[str, Any]) -> dict[str, Any]:
        """Who entered, last changed and last released the invoice, from its change documents."""
        object_id = f"{entity['SupplierInvoice']}{entity['FiscalYear']}"
        try:
            docs = list(
                self.change_documents.collection(
                    _CHANGE_DOCS,
                    filter=f"ChangeDocObjectClass eq 'INCOMINGINVOICE' and ChangeDocObject eq {literal(object_id)}",
                )
            )
        except NotFoundError:
            return {}  # no change-document view in this system: no who/when
        docs.sort(key=lambda d: (str(d.get("CreationDateTime")), str(d.get("ChangeDocument"))))
        found: dict[str, Any] = {}
        for doc in docs:
            user, at = str(doc.get("CreatedByUser") or "") or None, to_datetime(doc.get("CreationDateTime"))
            if doc.get("ChangeDocumentChangeType") == "I":
                found.update(created_by=user, created_at=at)
            elif (
                doc.get("ChangeDocDatabaseTableField") == _BLOCK_FIELD
                and doc.get("ChangeDocPreviousFieldValue")
                and not doc.get("ChangeDocNewFieldValue")
            ):
                found.update(released_by=user, released_at=at)
            found.update(changed_by=user, changed_at=at)
        return found

    def get_invoice(self, invoice_id: str) -> SupplierInvoice:
        keys = self._invoice_keys(invoice_id)
        return self._with_history(self.invoicing.entity("A_SupplierInvoice", keys, expand=_INVOICE_EXPAND))

    def find_invoice(self, vendor_id: str, reference: str) -> SupplierInvoice | None:
        where = f"InvoicingParty eq {literal(vendor_id)} and SupplierInvoiceIDByInvcgParty eq {literal(reference)}"
        found = list(self.invoicing.collection("A_SupplierInvoice", filter=where, expand=_INVOICE_EXPAND))
        return self._with_history(found[0]) if found else None

    # --- writes --------------------------------------------------------------------------------
    def create_invoice(self, draft: InvoiceDraft) -> SupplierInvoice:
        if any(line.po_id is None or line.po_line is None for line in draft.lines):
            raise self._error(
                RejectedError,
                "every invoice line must reference a PO item (G/L lines are not supported)",
                "POST A_SupplierInvoice",
            )
        payload = mapping.invoice_payload(
            draft,
            company_code=self.company_code,
            tax_code=self.tax_code,
            block=bool(draft.hold_reason)
            or (self.payment_handoff == "payment_run" and not draft.credit_memo),
        )
        try:
            created = self.invoicing.create("A_SupplierInvoice", payload)
        except RejectedError as exc:
            if exc.code == _DUPLICATE_INVOICE:
                raise ConflictError.from_rejection(exc) from None
            raise
        return self.get_invoice(mapping.invoice_id(created))

    def hold_invoice(self, invoice_id: str, reason: str) -> SupplierInvoice:
        """Keep a blocked invoice blocked; S/4 has no released API to block a posted, released one."""
        problem = hold_reason_problem(reason)
        if problem:
            raise self._error(RejectedError, problem, "hold_invoice")
        invoice = self.get_invoice(invoice_id)
        if invoice.status is InvoiceStatus.POSTED:
            raise self._error(
                RejectedError,
                f"invoice {invoice.id} is released for payment; S/4HANA has no released API to block a "
                "posted invoice again (set the block in the F110 payment proposal)",
                "hold_invoice",
            )
        return invoice

    def release_invoice(self, invoice_id: str) -> SupplierInvoice:
        keys = self._invoice_keys(invoice_id)
        self.invoicing.function("Release", keys, idempotent=True)
        return self.get_invoice(invoice_id)

    # --- payments ------------------------------------------------------------------------------
    def schedule_payment(self, invoice_id: str, *, payment_date: date) -> Payment:
        if self.payment_handoff == "z_service":
            return self._propose_payment(invoice_id, payment_date)
        invoice = self.get_invoice(invoice_id)
        problem = not_payable_problem(invoice)
        if problem:
            raise self._error(RejectedError, problem, "POST Release")
        if invoice.status is InvoiceStatus.POSTED:
            raise self._error(
                ConflictError, f"invoice {invoice.id} is already released to the payment run", "POST Release"
            )
        if invoice.status is InvoiceStatus.ON_HOLD:
            raise self._error(
                RejectedError,
                f"invoice {invoice.id} is held ({invoice.hold_reason}); release the hold first",
                "POST Release",
            )
        if self.get_vendor(invoice.vendor_id).blocked:
            raise self._error(RejectedError, f"vendor {invoice.vendor_id} is blocked", "POST Release")
        self.release_invoice(invoice.id)
        handed = self.find_payment_for_invoice(invoice.id)
        assert handed is not None  # released just now
        return handed

    def find_payment_for_invoice(self, invoice_id: str) -> Payment | None:
        if self.payment_handoff == "z_service":
            number, _, year = invoice_id.partition("/")
            where = f"SupplierInvoice eq {literal(number)}" + (
                f" and FiscalYear eq {literal(year)}" if year else ""
            )
            found = list(self.payments.collection("PaymentProposalSet", filter=where))
            return mapping.payment_from(found[0]) if found else None
        keys = self._invoice_keys(invoice_id)
        entity = self.invoicing.entity("A_SupplierInvoice", keys)
        if entity.get("PaymentBlockingReason") or entity.get("SupplierInvoiceIsCreditMemo") == "X":
            return None
        base = to_date(entity.get("DueCalculationBaseDate")) or to_date(entity.get("DocumentDate"))
        assert base is not None  # a posted invoice has a document date
        due = base + timedelta(days=int(to_decimal(entity.get("NetPaymentDays"))))
        number = mapping.invoice_id(entity)
        return Payment(
            id=f"F110:{number}",
            invoice_id=number,
            vendor_id=str(entity.get("InvoicingParty") or ""),
            amount=to_decimal(entity.get("InvoiceGrossAmount")),
            currency=str(entity.get("DocumentCurrency") or ""),
            payment_date=due,
        )

    def _propose_payment(self, invoice_id: str, payment_date: date) -> Payment:
        invoice = self.get_invoice(invoice_id)
        if self.find_payment_for_invoice(invoice.id) is not None:
            raise self._error(
                ConflictError,
                f"invoice {invoice.id} already has a payment proposal",
                "POST PaymentProposalSet",
            )
        number, _, year = invoice.id.partition("/")
        created = self.payments.create(
            "PaymentProposalSet",
            {
                "SupplierInvoice": number,
                "FiscalYear": year,
                "PaymentDate": sap_date(payment_date),
                "PaymentMethod": self.payment_method,
            },
        )
        return mapping.payment_from(created)
