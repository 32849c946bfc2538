"""`NetSuiteAdapter`: `ERPConnector` over SuiteTalk REST (record API v1 + SuiteQL).

Token-based auth (OAuth 1.0a, HMAC-SHA256, realm = account) through `connectors.auth.NetSuiteTBA`.
Lists in the record API carry ids only, so lookups run a SuiteQL query for ids and then GET each
record with ``expandSubResources=true``. Field mapping and its choices: `connectors.netsuite.mapping`.
Order to cash and customer billing: `connectors.netsuite.sales` and `connectors.netsuite.billing`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Self

import requests

from connectors.auth import NetSuiteTBA
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
from connectors.errors import ConfigurationError, ConnectorError, NotFoundError, RejectedError
from connectors.http import RetryPolicy, VendorHttp
from connectors.netsuite import mapping
from connectors.netsuite.billing import NetSuiteBilling
from connectors.netsuite.invoices import NetSuiteInvoices
from connectors.netsuite.rest import SuiteTalk, envelope_error, literal, parse_netsuite_error

if TYPE_CHECKING:
    from connectors.registry import ConnectionConfig

_CREDENTIALS = ("consumer_key", "consumer_secret", "token_id", "token_secret")
_DUPLICATE = "DUP_RCRD"


class NetSuiteAdapter(NetSuiteInvoices, NetSuiteBilling):
    """NetSuite as an `ERPConnector`; build it with `from_config` or directly."""

    kind: ClassVar[str] = "erp"

    def __init__(
        self,
        base_url: str,
        account: str,
        consumer_key: str,
        consumer_secret: str,
        token_id: str,
        token_secret: str,
        *,
        session: requests.Session | None = None,
        vendor: str = "netsuite",
        credit_item: str = "990",
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        extra: dict[str, Any] = {"sleep": sleep} if sleep is not None else {}
        self.http = VendorHttp(
            vendor,
            base_url,
            session=session,
            auth=NetSuiteTBA(account, consumer_key, consumer_secret, token_id, token_secret),
            error_parser=parse_netsuite_error,
            envelope_error=envelope_error,
            retry=retry,
            **extra,
        )
        self.api = SuiteTalk(self.http)
        self.account = account
        """The account id (its UI domain is where invoice copies are referenced)."""
        self._currency_ids: dict[str, str] = {}
        self.credit_item = credit_item
        """Internal id of the non-inventory item customer credits are booked on (option ``credit_item``)."""

    @classmethod
    def from_config(
        cls, connection: ConnectionConfig, credentials: Mapping[str, str], session: requests.Session | None
    ) -> Self:
        name = connection.name or "netsuite"
        missing = [key for key in _CREDENTIALS if not credentials.get(key)]
        account = str(credentials.get("account") or connection.options.get("account") or "")
        if missing or not account:
            needed = ", ".join([*missing, *([] if account else ["account"])])
            raise ConfigurationError(f"NetSuite connection {name!r} needs {needed}", vendor=name)
        return cls(
            connection.base_url,
            account,
            *(credentials[k] for k in _CREDENTIALS),
            session=session,
            vendor=name,
            credit_item=str(connection.options.get("credit_item") or "990"),
        )

    def _error(self, cls: type[ConnectorError], message: str, endpoint: str) -> ConnectorError:
        return cls(message, vendor=self.http.vendor, endpoint=endpoint)

    def _ids(self, suiteql: str, column: str = "id") -> list[str]:
        return [str(row[column]) for row in self.api.query(suiteql) if row.get(column) is not None]

    # --- vendor master -------------------------------------------------------------------------
    def _banks(self, vendor_id: str) -> list[dict[str, Any]]:
        return list(
            self.api.query(
                f"SELECT id, custrecord_2663_entity_iban, custrecord_2663_entity_acct_no, custrecord_2663_entity_swift, "
                f"custrecord_2663_entity_country_code, custrecord_2663_entity_acct_name FROM {mapping.BANK_RECORD} "
                f"WHERE custrecord_2663_parent_vendor = {literal(vendor_id)} ORDER BY id"
            )
        )

    def get_vendor(self, vendor_id: str) -> Vendor:
        record = self.api.get("vendor", vendor_id)
        return mapping.vendor_from(record, self._banks(str(record["id"])))

    def search_vendors(self, *, name: str | None = None, tax_id: str | None = None) -> list[Vendor]:
        problem = vendor_search_problem(name, tax_id)
        if problem:
            raise self._error(RejectedError, problem, "search_vendors")
        clauses = []
        if name is not None:
            clauses.append(f"LOWER(companyname) LIKE {literal('%' + name.lower() + '%')}")
        if tax_id is not None:
            clauses.append(f"(vatregnumber = {literal(tax_id)} OR taxidnum = {literal(tax_id)})")
        ids = self._ids(f"SELECT id FROM vendor WHERE {' AND '.join(clauses)} ORDER BY id")
        return [self.get_vendor(vendor_id) for vendor_id in ids]

    def update_vendor_bank_account(self, vendor_id: str, account: BankAccount) -> Vendor:
        self.api.get("vendor", vendor_id, expand=False)
        banks = self._banks(vendor_id)
        payload = mapping.bank_payload(account)
        if banks:
            self.api.patch(mapping.BANK_RECORD, str(banks[0]["id"]), payload)
        else:
            self.api.create(
                mapping.BANK_RECORD,
                {
                    "custrecord_2663_parent_vendor": {"id": vendor_id},
                    "custrecord_2663_entity_bank_type": {"id": "1"},
                    **payload,
                },
            )
        return self.get_vendor(vendor_id)

    def block_vendor(self, vendor_id: str, reason: str) -> Vendor:
        """Make the vendor inactive (no new bills or payments) and note why in ``comments``."""
        problem = block_reason_problem(reason)
        if problem:
            raise self._error(RejectedError, problem, "PATCH vendor")
        vendor = self.get_vendor(vendor_id)
        if vendor.blocked:
            return vendor
        self.api.patch("vendor", vendor_id, {"isInactive": True, "comments": reason})
        return self.get_vendor(vendor_id)

    def update_vendor_tax_id(self, vendor_id: str, tax_id: str) -> Vendor:
        """Write ``vatRegNumber``, or ``taxIdNum`` for a vendor that already files under a US EIN."""
        problem = tax_id_problem(tax_id)
        if problem:
            raise self._error(RejectedError, problem, "PATCH vendor")
        record = self.api.get("vendor", vendor_id, expand=False)
        field = "taxIdNum" if record.get("taxIdNum") and not record.get("vatRegNumber") else "vatRegNumber"
        self.api.patch("vendor", vendor_id, {field: tax_id})
        return self.get_vendor(vendor_id)

    # --- purchasing ----------------------------------------------------------------------------
    def get_purchase_order(self, po_id: str) -> PurchaseOrder:
        return mapping.order_from(self.api.get("purchaseOrder", po_id))

    def list_purchase_orders(
        self, *, vendor_id: str | None = None, status: PurchaseOrderStatus | None = None
    ) -> list[PurchaseOrder]:
        where = "type = 'PurchOrd'" + (f" AND entity = {literal(vendor_id)}" if vendor_id is not None else "")
        orders = [
            self.get_purchase_order(i)
            for i in self._ids(f"SELECT id FROM transaction WHERE {where} ORDER BY id")
        ]
        return [o for o in orders if status is None or o.status is status]

    def set_purchase_order_status(self, po_id: str, status: PurchaseOrderStatus) -> PurchaseOrder:
        order = self.get_purchase_order(po_id)
        closed = status is PurchaseOrderStatus.CLOSED
        lines = [{"line": int(line.line), "isClosed": closed} for line in order.lines]
        self.api.patch("purchaseOrder", po_id, {"item": {"items": lines}})
        return self.get_purchase_order(po_id)

    def list_goods_receipts(self, po_id: str) -> list[GoodsReceipt]:
        self.api.get("purchaseOrder", po_id, expand=False)
        ids = self._ids(
            f"SELECT id FROM transaction WHERE type = 'ItemRcpt' AND createdfrom = {literal(po_id)} ORDER BY id"
        )
        return [r for i in ids for r in mapping.receipts_from(self.api.get("itemReceipt", i))]

    # --- spend ---------------------------------------------------------------------------------
    def list_spend_lines(self, *, uncategorised_only: bool = False) -> list[SpendLine]:
        headers = {
            r["id"]: r
            for r in self.api.query(
                "SELECT id, entity, trandate, currency FROM transaction WHERE type = 'PurchOrd'"
            )
        }
        names = {r["id"]: str(r["companyname"]) for r in self.api.query("SELECT id, companyname FROM vendor")}
        currencies = {r["id"]: str(r["symbol"]) for r in self.api.query("SELECT id, symbol FROM currency")}
        where = "mainline = 'F'" + (f" AND {mapping.CATEGORY_COLUMN} IS NULL" if uncategorised_only else "")
        rows = self.api.query(
            f"SELECT transaction, id, memo, netamount, {mapping.CATEGORY_COLUMN} FROM transactionline "
            f"WHERE {where} ORDER BY transaction, id"
        )
        return [
            mapping.spend_line_from(
                headers[row["transaction"]],
                row,
                names.get(str(headers[row["transaction"]]["entity"]), ""),
                currencies.get(str(headers[row["transaction"]]["currency"]), ""),
            )
            for row in rows
            if row["transaction"] in headers
        ]

    def set_spend_category(self, line_id: str, category: str) -> SpendLine:
        problem = spend_category_problem(category)
        if problem:
            raise self._error(RejectedError, problem, "PATCH purchaseOrder")
        po_id, _, line = line_id.partition("/")
        if not (po_id.isdigit() and line.isdigit()):
            raise self._error(NotFoundError, f"spend line {line_id!r} does not exist", "PATCH purchaseOrder")
        self.api.patch(
            "purchaseOrder",
            po_id,
            {"item": {"items": [{"line": int(line), mapping.CATEGORY_COLUMN: category}]}},
        )
        header = next(
            iter(
                self.api.query(
                    f"SELECT id, entity, trandate, currency FROM transaction WHERE id = {literal(po_id)}"
                )
            )
        )
        row = next(
            iter(
                self.api.query(
                    f"SELECT transaction, id, memo, netamount, {mapping.CATEGORY_COLUMN} FROM transactionline "
                    f"WHERE transaction = {literal(po_id)} AND id = {literal(line)}"
                )
            )
        )
        vendor = next(
            iter(
                self.api.query(f"SELECT companyname FROM vendor WHERE id = {literal(str(header['entity']))}")
            )
        )
        currency = next(
            iter(self.api.query(f"SELECT symbol FROM currency WHERE id = {literal(str(header['currency']))}"))
        )
        return mapping.spend_line_from(header, row, str(vendor["companyname"]), str(currency["symbol"]))
