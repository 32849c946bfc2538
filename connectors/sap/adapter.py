"""`SapS4HanaAdapter`: `ERPConnector` over S/4HANA's released OData v2 APIs.

Services: API_BUSINESS_PARTNER (vendors, bank details), API_PURCHASEORDER_PROCESS_SRV (POs and,
as spend lines, PO items), API_MATERIAL_DOCUMENT_SRV (goods receipts, movement type 101),
API_SUPPLIERINVOICE_PROCESS_SRV (supplier invoices posted with a payment block, ``Release``, hand-off
to the F110 payment run: `connectors.sap.invoices`, options ``payment_handoff``,
``change_document_service``, ``payment_service``), the order-to-cash services of
`connectors.sap.sales` (sales area from options ``sales_organization``, ``distribution_channel``,
``division``), the billing documents and subscriptions of `connectors.sap.billing` (subscriptions
through a customer service, ``options.subscription_service``). Basic auth of a communication user
wrapped in `SapCsrf` (token + session cookie before every write). Field mapping and its choices:
`connectors.sap.mapping`.

Deviation from a real system, on purpose: invoice lines must reference a PO item (G/L-account
lines are not mapped).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, ClassVar, Self

import requests

from connectors.auth import BasicAuth, SapCsrf
from connectors.erp.models import (
    BankAccount,
    GoodsReceipt,
    PurchaseOrder,
    PurchaseOrderStatus,
    SpendLine,
    Vendor,
    block_reason_problem,
    spend_category_problem,
    tax_id_problem,
    vendor_search_problem,
)
from connectors.errors import (
    ConfigurationError,
    ConnectorError,
    NotFoundError,
    OutcomeUnknownError,
    RejectedError,
)
from connectors.http import RetryPolicy, VendorHttp
from connectors.rotation import RotatedCredential
from connectors.sap import mapping
from connectors.sap.billing import SapBilling
from connectors.sap.invoices import PAYMENT_HANDOFFS, SapInvoices
from connectors.sap.odata import ODataService, envelope_error, literal, parse_gateway_error, results
from connectors.sap.password import change_password, new_password
from connectors.sap.sales import SapSales

if TYPE_CHECKING:
    from connectors.registry import ConnectionConfig

_BP_EXPAND = "to_Supplier,to_BusinessPartnerAddress,to_BusinessPartnerBank"
_PO_EXPAND = "to_PurchaseOrderItem/to_ScheduleLine"
_INVOICE_EXPAND = "to_SuplrInvcItemPurOrdRef,to_SupplierInvoiceTax"
_DUPLICATE_INVOICE = "M8/108"
_ID_CHUNK = 20


class SapS4HanaAdapter(SapInvoices, SapSales, SapBilling):
    """S/4HANA as an `ERPConnector`; build it with `from_config` or directly."""

    kind: ClassVar[str] = "erp"

    def __init__(
        self,
        base_url: str,
        username: str,
        password: str,
        *,
        session: requests.Session | None = None,
        vendor: str = "sap_s4hana",
        sap_client: str | None = None,
        company_code: str = "1010",
        tax_code: str = "V1",
        payment_service: str = "ZOPSPACK_PAYMENT_SRV",
        payment_method: str = "T",
        spend_category_field: str = "YY1_SpendCategory_PDI",
        sales_organization: str = "1010",
        distribution_channel: str = "10",
        division: str = "00",
        subscription_service: str = "ZOPSPACK_SUBSCRIPTION_SRV",
        payment_handoff: str = "payment_run",
        change_document_service: str = "YY1_SUPLRINVCCHANGEDOC_CDS",
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        self.username = username
        self._csrf = SapCsrf(BasicAuth(username, password))
        extra: dict[str, Any] = {"sleep": sleep} if sleep is not None else {}
        self.http = VendorHttp(
            vendor,
            base_url,
            session=session,
            auth=self._csrf,
            error_parser=parse_gateway_error,
            envelope_error=envelope_error,
            retry=retry,
            **extra,
        )
        self._password = password
        self.company_code = company_code
        self.tax_code = tax_code
        self.payment_method = payment_method
        self.category_field = spend_category_field
        self.partners = ODataService(self.http, "API_BUSINESS_PARTNER", sap_client=sap_client)
        self.purchasing = ODataService(self.http, "API_PURCHASEORDER_PROCESS_SRV", sap_client=sap_client)
        self.materials = ODataService(self.http, "API_MATERIAL_DOCUMENT_SRV", sap_client=sap_client)
        self._init_invoices(sap_client, payment_handoff, payment_service, change_document_service)
        self._init_sales(sap_client, (sales_organization, distribution_channel, division))
        self._init_billing(sap_client, subscription_service)

    @classmethod
    def from_config(
        cls, connection: ConnectionConfig, credentials: Mapping[str, str], session: requests.Session | None
    ) -> Self:
        missing = [key for key in ("username", "password") if not credentials.get(key)]
        if missing:
            raise ConfigurationError(
                f"SAP connection {connection.name!r} needs credential(s) {', '.join(missing)}",
                vendor=connection.name or "sap_s4hana",
            )
        options = {k: str(v) for k, v in connection.options.items()}
        unknown = sorted(set(options) - _OPTIONS)
        if unknown:
            raise ConfigurationError(
                f"SAP connection {connection.name!r} has unknown option(s) {', '.join(unknown)}",
                vendor=connection.name or "sap_s4hana",
            )
        handoff = options.get("payment_handoff", "payment_run")
        if handoff not in PAYMENT_HANDOFFS:
            raise ConfigurationError(
                f"SAP connection {connection.name!r}: payment_handoff must be one of "
                f"{', '.join(PAYMENT_HANDOFFS)}, not {handoff!r}",
                vendor=connection.name or "sap_s4hana",
            )
        return cls(
            connection.base_url,
            credentials["username"],
            credentials["password"],
            session=session,
            vendor=connection.name or "sap_s4hana",
            sap_client=options.get("sap_client"),
            company_code=options.get("company_code", "1010"),
            tax_code=options.get("tax_code", "V1"),
            payment_service=options.get("payment_service", "ZOPSPACK_PAYMENT_SRV"),
            payment_method=options.get("payment_method", "T"),
            spend_category_field=options.get("spend_category_field", "YY1_SpendCategory_PDI"),
            sales_organization=options.get("sales_organization", "1010"),
            distribution_channel=options.get("distribution_channel", "10"),
            division=options.get("division", "00"),
            subscription_service=options.get("subscription_service", "ZOPSPACK_SUBSCRIPTION_SRV"),
            payment_handoff=handoff,
            change_document_service=options.get("change_document_service", "YY1_SUPLRINVCCHANGEDOC_CDS"),
        )

    def _error(self, cls: type[ConnectorError], message: str, endpoint: str) -> ConnectorError:
        return cls(message, vendor=self.http.vendor, endpoint=endpoint)

    # --- vendor master -------------------------------------------------------------------------
    def _partner(self, vendor_id: str) -> dict[str, Any]:
        partner = self.partners.entity("A_BusinessPartner", {"BusinessPartner": vendor_id}, expand=_BP_EXPAND)
        if not partner.get("to_Supplier"):
            raise self._error(
                NotFoundError, f"business partner {vendor_id} is not a supplier", "GET A_BusinessPartner"
            )
        return partner

    def get_vendor(self, vendor_id: str) -> Vendor:
        return mapping.vendor_from(self._partner(vendor_id))

    def _vendors(self, ids: list[str]) -> list[Vendor]:
        found: list[Vendor] = []
        for start in range(0, len(ids), _ID_CHUNK):
            chunk = " or ".join(f"BusinessPartner eq {literal(i)}" for i in ids[start : start + _ID_CHUNK])
            found.extend(
                mapping.vendor_from(p)
                for p in self.partners.collection("A_BusinessPartner", filter=chunk, expand=_BP_EXPAND)
                if p.get("to_Supplier")
            )
        return sorted(found, key=lambda v: v.id)

    def search_vendors(self, *, name: str | None = None, tax_id: str | None = None) -> list[Vendor]:
        problem = vendor_search_problem(name, tax_id)
        if problem:
            raise self._error(RejectedError, problem, "search_vendors")
        clauses = []
        if name is not None:
            clauses.append(f"substringof({literal(name.lower())},tolower(SupplierFullName))")
        if tax_id is not None:
            clauses.append(f"VATRegistration eq {literal(tax_id)}")
        suppliers = self.partners.collection("A_Supplier", filter=" and ".join(clauses), select="Supplier")
        ids = sorted({str(s["Supplier"]) for s in suppliers})
        return self._vendors(ids) if ids else []

    def update_vendor_bank_account(self, vendor_id: str, account: BankAccount) -> Vendor:
        partner = self._partner(vendor_id)
        banks = sorted(
            results(partner.get("to_BusinessPartnerBank")), key=lambda b: str(b["BankIdentification"])
        )
        payload = mapping.bank_payload(account)
        if banks:
            keys = {"BusinessPartner": vendor_id, "BankIdentification": str(banks[0]["BankIdentification"])}
            self.partners.patch("A_BusinessPartnerBank", keys, payload)
        else:
            self.partners.create("A_BusinessPartnerBank", {"BusinessPartner": vendor_id, **payload})
        return self.get_vendor(vendor_id)

    def _supplier_keys(self, vendor_id: str) -> tuple[Vendor, dict[str, str]]:
        partner = self._partner(vendor_id)
        return mapping.vendor_from(partner), {"Supplier": str(partner["to_Supplier"]["Supplier"])}

    def block_vendor(self, vendor_id: str, reason: str) -> Vendor:
        """Set the central posting and payment blocks on A_Supplier (LFA1-SPERR / SPERZ).

        A_Supplier has no free-text block reason; the reason is validated here and kept by the
        caller (the governance ledger records the action that carries it).
        """
        problem = block_reason_problem(reason)
        if problem:
            raise self._error(RejectedError, problem, "PATCH A_Supplier")
        vendor, keys = self._supplier_keys(vendor_id)
        if vendor.blocked:
            return vendor
        self.partners.patch(
            "A_Supplier", keys, {"PostingIsBlocked": True, "PaymentIsBlockedForSupplier": True}
        )
        return self.get_vendor(vendor_id)

    def update_vendor_tax_id(self, vendor_id: str, tax_id: str) -> Vendor:
        """Write ``A_Supplier.VATRegistration`` (LFA1-STCEG), the field `get_vendor` reads back."""
        problem = tax_id_problem(tax_id)
        if problem:
            raise self._error(RejectedError, problem, "PATCH A_Supplier")
        _, keys = self._supplier_keys(vendor_id)
        self.partners.patch("A_Supplier", keys, {"VATRegistration": tax_id})
        return self.get_vendor(vendor_id)

    # --- purchasing ----------------------------------------------------------------------------
    def _order_entity(self, po_id: str) -> dict[str, Any]:
        return self.purchasing.entity("A_PurchaseOrder", {"PurchaseOrder": po_id}, expand=_PO_EXPAND)

    def get_purchase_order(self, po_id: str) -> PurchaseOrder:
        return mapping.order_from(self._order_entity(po_id))

    def list_purchase_orders(
        self, *, vendor_id: str | None = None, status: PurchaseOrderStatus | None = None
    ) -> list[PurchaseOrder]:
        where = f"Supplier eq {literal(vendor_id)}" if vendor_id is not None else ""
        orders = [
            mapping.order_from(h)
            for h in self.purchasing.collection("A_PurchaseOrder", filter=where, expand=_PO_EXPAND)
        ]
        return sorted((o for o in orders if status is None or o.status is status), key=lambda o: o.id)

    def set_purchase_order_status(self, po_id: str, status: PurchaseOrderStatus) -> PurchaseOrder:
        closed = status is PurchaseOrderStatus.CLOSED
        for item in results(self._order_entity(po_id).get("to_PurchaseOrderItem")):
            keys = {"PurchaseOrder": po_id, "PurchaseOrderItem": str(item["PurchaseOrderItem"])}
            self.purchasing.patch(
                "A_PurchaseOrderItem", keys, {"IsCompletelyDelivered": closed, "IsFinallyInvoiced": closed}
            )
        return self.get_purchase_order(po_id)

    def list_goods_receipts(self, po_id: str) -> list[GoodsReceipt]:
        self.purchasing.entity("A_PurchaseOrder", {"PurchaseOrder": po_id}, select="PurchaseOrder")
        items = self.materials.collection(
            "A_MaterialDocumentItem",
            filter=f"PurchaseOrder eq {literal(po_id)} and GoodsMovementType eq '101'",
            expand="to_MaterialDocumentHeader",
        )
        return sorted((mapping.receipt_from(i) for i in items), key=lambda r: (r.receipt_date, r.id))

    # --- spend ---------------------------------------------------------------------------------
    def _vendor_names(self) -> dict[str, str]:
        partners = self.partners.collection(
            "A_BusinessPartner", filter="Supplier ne ''", select="BusinessPartner,BusinessPartnerFullName"
        )
        return {str(p["BusinessPartner"]): str(p["BusinessPartnerFullName"]) for p in partners}

    def list_spend_lines(self, *, uncategorised_only: bool = False) -> list[SpendLine]:
        names = self._vendor_names()
        lines = [
            mapping.spend_line_from(
                header, item, names.get(str(header.get("Supplier")), ""), self.category_field
            )
            for header in self.purchasing.collection("A_PurchaseOrder", expand="to_PurchaseOrderItem")
            for item in results(header.get("to_PurchaseOrderItem"))
        ]
        return [line for line in lines if not (uncategorised_only and line.category)]

    def set_spend_category(self, line_id: str, category: str) -> SpendLine:
        problem = spend_category_problem(category)
        if problem:
            raise self._error(RejectedError, problem, "PATCH A_PurchaseOrderItem")
        po_id, _, item_no = line_id.partition("/")
        if not item_no:
            raise self._error(
                NotFoundError, f"spend line {line_id!r} does not exist", "PATCH A_PurchaseOrderItem"
            )
        keys = {"PurchaseOrder": po_id, "PurchaseOrderItem": item_no}
        self.purchasing.patch("A_PurchaseOrderItem", keys, {self.category_field: category})
        header = self.purchasing.entity("A_PurchaseOrder", {"PurchaseOrder": po_id})
        item = self.purchasing.entity("A_PurchaseOrderItem", keys)
        supplier = str(header.get("Supplier") or "")
        partner = self.partners.entity(
            "A_BusinessPartner", {"BusinessPartner": supplier}, select="BusinessPartnerFullName"
        )
        return mapping.spend_line_from(
            header, item, str(partner.get("BusinessPartnerFullName") or ""), self.category_field
        )

    # --- credential rotation -------------------------------------------------------------------
    def rotate_credential(self) -> RotatedCredential:
        """Change the communication user's password (SUSR_USER_CHANGE_PASSWORD_RFC) and use it from now on.

        When the answer is lost, a logon with the new password tells whether the change happened;
        if it did not, `OutcomeUnknownError` propagates and the old password stays in use.
        """
        fresh = new_password()
        try:
            change_password(
                self.http, BasicAuth(self.username, self._password), self.username, self._password, fresh
            )
        except OutcomeUnknownError:
            if not self._logs_on(fresh):
                raise
        self._password = fresh
        self._csrf.inner = BasicAuth(self.username, fresh)
        self._csrf.token = None
        return RotatedCredential(name="password", new_secret=fresh, rotated_at=datetime.now(UTC))

    def _logs_on(self, password: str) -> bool:
        response = self.http.send(
            "GET",
            self.http.url_for(f"{self.partners.root}/"),
            auth=BasicAuth(self.username, password),
            expect="any",
            ok_status=(200, 401),
            idempotent=True,
        )
        return response.status_code == 200


_OPTIONS = {
    "subscription_service",
    "payment_handoff",
    "change_document_service",
    "sap_client",
    "company_code",
    "tax_code",
    "payment_service",
    "payment_method",
    "spend_category_field",
    "sales_organization",
    "distribution_channel",
    "division",
}
