"""Order to cash on S/4HANA: `SapSales`, the sales half of `SapS4HanaAdapter`.

Reads API_SALES_ORDER_SRV and API_OUTBOUND_DELIVERY_SRV;v=0002, books credits as credit memo
requests in API_CREDIT_MEMO_REQUEST_SRV. S/4 does not refuse a repeated customer reference on a
credit memo request, so `create_credit_memo` looks the business key up first and raises
ConflictError itself; the create is a POST and never retried (the executor reconciles). Field
choices: `connectors.sap.sales_mapping`.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from connectors.erp.sales import CreditMemo, CreditMemoDraft, Delivery, SalesOrder
from connectors.errors import ConflictError
from connectors.http import VendorHttp
from connectors.sap import sales_mapping
from connectors.sap.odata import ODataService, literal, results

_ID_CHUNK = 20


class SapSales:
    """Needs the adapter's `http`; the adapter calls `_init_sales` from its constructor."""

    http: VendorHttp

    def _init_sales(self, sap_client: str | None, sales_area: tuple[str, str, str]) -> None:
        self.sales_orders = ODataService(self.http, "API_SALES_ORDER_SRV", sap_client=sap_client)
        self.deliveries = ODataService(self.http, "API_OUTBOUND_DELIVERY_SRV;v=0002", sap_client=sap_client)
        self.credit_requests = ODataService(self.http, "API_CREDIT_MEMO_REQUEST_SRV", sap_client=sap_client)
        self.sales_area = sales_area

    # --- orders and deliveries -----------------------------------------------------------------
    def get_sales_order(self, number: str) -> SalesOrder:
        header = self.sales_orders.entity("A_SalesOrder", {"SalesOrder": number}, expand="to_Item")
        return sales_mapping.sales_order_from(header)

    def list_sales_orders(self, customer_id: str) -> list[SalesOrder]:
        headers = self.sales_orders.collection(
            "A_SalesOrder", filter=f"SoldToParty eq {literal(customer_id)}", expand="to_Item"
        )
        orders = [sales_mapping.sales_order_from(h) for h in headers]
        return sorted(orders, key=lambda o: (o.order_date, o.number))

    def list_deliveries(self, order_number: str) -> list[Delivery]:
        self.sales_orders.entity("A_SalesOrder", {"SalesOrder": order_number}, select="SalesOrder")
        items = self.deliveries.collection(
            "A_OutbDeliveryItem",
            filter=f"ReferenceSDDocument eq {literal(order_number)}",
            select="DeliveryDocument",
        )
        numbers = sorted({str(i["DeliveryDocument"]) for i in items})
        found: list[Delivery] = []
        for start in range(0, len(numbers), _ID_CHUNK):
            where = " or ".join(
                f"DeliveryDocument eq {literal(n)}" for n in numbers[start : start + _ID_CHUNK]
            )
            found.extend(
                sales_mapping.delivery_from(h, order_number)
                for h in self.deliveries.collection("A_OutbDeliveryHeader", filter=where)
            )
        return sorted(found, key=lambda d: d.number)

    # --- credit memos --------------------------------------------------------------------------
    def _credit_requests(self, where: str) -> list[dict[str, Any]]:
        return list(self.credit_requests.collection("A_CreditMemoRequest", filter=where, expand="to_Item"))

    def find_credit_memo(self, business_key: str) -> CreditMemo | None:
        reference = sales_mapping.customer_reference(business_key)
        found = self._credit_requests(f"PurchaseOrderByCustomer eq {literal(reference)}")
        return sales_mapping.credit_memo_from(found[0], business_key) if found else None

    def create_credit_memo(self, draft: CreditMemoDraft) -> CreditMemo:
        if self.find_credit_memo(draft.business_key) is not None:
            raise ConflictError(
                f"a credit memo request with business key {draft.business_key!r} already exists",
                vendor=self.http.vendor,
                endpoint="POST A_CreditMemoRequest",
            )
        payload = sales_mapping.credit_memo_payload(draft, sales_area=self.sales_area)
        created = self.credit_requests.create("A_CreditMemoRequest", payload)
        if not results(created.get("to_Item")):
            keys = {"CreditMemoRequest": str(created["CreditMemoRequest"])}
            created = self.credit_requests.entity("A_CreditMemoRequest", keys, expand="to_Item")
        return sales_mapping.credit_memo_from(created, draft.business_key)

    def list_credit_memos(self, customer_id: str, since: date | None = None) -> list[CreditMemo]:
        where = f"SoldToParty eq {literal(customer_id)}"
        if since is not None:
            where += f" and CreditMemoRequestDate ge datetime'{since.isoformat()}T00:00:00'"
        memos = [
            sales_mapping.credit_memo_from(h, str(h.get("PurchaseOrderByCustomer") or ""))
            for h in self._credit_requests(where)
        ]
        return sorted(memos, key=lambda m: (m.memo_date, m.id))
