"""A buyer's own trade records as neutral ERP state: UBL Order, DespatchAdvice and ReceiptAdvice
documents, or neutral YAML / CSV, merged into one `ErpState` (the scenario format's ``erp``).

So a user replays their own trade without writing vendor JSON: the order becomes a
`PurchaseOrder` (and its seller a `Vendor`), a receipt advice (or, failing one, a despatch
advice) becomes `GoodsReceipt` rows. Vendor bank details are not on an order: give them in YAML.

YAML holds the ``erp`` state itself (``vendors``, ``purchase_orders``, ``goods_receipts``,
``invoices``), with or without an ``erp:`` key. CSV holds one kind of record per file, told by
its columns: ``po_id,po_line,quantity,unit,receipt_date[,id]`` (receipts) or
``po_id,vendor_id,currency,line,description,quantity,unit,unit_price`` (order lines).
"""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element

import defusedxml.ElementTree as SafeElementTree
import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from connectors.erp.models import GoodsReceipt, PurchaseOrder, PurchaseOrderLine, SupplierInvoice, Vendor
from connectors.errors import ConnectorLayerError

CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
NS = {"cac": CAC, "cbc": CBC}
ROOTS = {
    "urn:oasis:names:specification:ubl:schema:xsd:Order-2": "Order",
    "urn:oasis:names:specification:ubl:schema:xsd:DespatchAdvice-2": "DespatchAdvice",
    "urn:oasis:names:specification:ubl:schema:xsd:ReceiptAdvice-2": "ReceiptAdvice",
}


class TradeDocumentError(ConnectorLayerError, ValueError):
    """A file that cannot be read as trade records; the message names the file and the problem."""


class ErpState(BaseModel):
    """Neutral ERP records, as a scenario's ``state.erp`` holds them."""

    model_config = ConfigDict(extra="forbid")

    vendors: list[Vendor] = []
    purchase_orders: list[PurchaseOrder] = []
    goods_receipts: list[GoodsReceipt] = []
    invoices: list[SupplierInvoice] = []

    def merge(self, other: ErpState) -> None:
        """Add `other`'s records; a vendor or order already present (same id) is kept once."""
        known_vendors = {vendor.id for vendor in self.vendors}
        self.vendors += [vendor for vendor in other.vendors if vendor.id not in known_vendors]
        known_orders = {order.id for order in self.purchase_orders}
        self.purchase_orders += [order for order in other.purchase_orders if order.id not in known_orders]
        self.goods_receipts += other.goods_receipts
        self.invoices += other.invoices

    def as_yaml_data(self) -> dict[str, Any]:
        return {"erp": self.model_dump(mode="json", exclude_defaults=True)}


def _text(node: Element, path: str) -> str | None:
    found = node.find(path, NS)
    return found.text.strip() if found is not None and found.text and found.text.strip() else None


def _need(node: Element, path: str, where: str) -> str:
    value = _text(node, path)
    if value is None:
        raise TradeDocumentError(f"{where}: {path} is missing")
    return value


def _decimal(value: str, where: str) -> Decimal:
    try:
        return Decimal(value)
    except InvalidOperation as error:
        raise TradeDocumentError(f"{where}: {value!r} is not a number") from error


def _date(value: str, where: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise TradeDocumentError(f"{where}: {value!r} is not an ISO date") from error


def _order(root: Element, where: str) -> ErpState:
    party = "cac:SellerSupplierParty/cac:Party"
    name = _text(root, f"{party}/cac:PartyLegalEntity/cbc:RegistrationName") or _need(
        root, f"{party}/cac:PartyName/cbc:Name", where
    )
    tax_id = _text(root, f"{party}/cac:PartyTaxScheme/cbc:CompanyID")
    vendor_id = _text(root, "cac:SellerSupplierParty/cbc:CustomerAssignedAccountID") or tax_id or name
    lines = []
    for node in root.findall("cac:OrderLine/cac:LineItem", NS):
        quantity = node.find("cbc:Quantity", NS)
        line_where = f"{where}: order line {_text(node, 'cbc:ID')}"
        if quantity is None or not quantity.text:
            raise TradeDocumentError(f"{line_where}: cbc:Quantity is missing")
        lines.append(
            PurchaseOrderLine(
                line=_need(node, "cbc:ID", where),
                description=_need(node, "cac:Item/cbc:Name", line_where),
                quantity=_decimal(quantity.text.strip(), line_where),
                unit=quantity.get("unitCode") or "EA",
                unit_price=_decimal(_need(node, "cac:Price/cbc:PriceAmount", line_where), line_where),
                item=_text(node, "cac:Item/cac:BuyersItemIdentification/cbc:ID"),
            )
        )
    if not lines:
        raise TradeDocumentError(f"{where}: the order has no cac:OrderLine/cac:LineItem")
    issued = _text(root, "cbc:IssueDate")
    order = PurchaseOrder(
        id=_need(root, "cbc:ID", where),
        vendor_id=vendor_id,
        currency=_text(root, "cbc:DocumentCurrencyCode") or _need(root, "cbc:PricingCurrencyCode", where),
        status="open",
        order_date=_date(issued, where) if issued else None,
        lines=tuple(lines),
    )
    vendor = Vendor(id=vendor_id, name=name, tax_id=tax_id)
    return ErpState(vendors=[vendor], purchase_orders=[order])


def _receipts(root: Element, kind: str, where: str) -> ErpState:
    """Receipt (ReceiptLine/ReceivedQuantity) or despatch (DespatchLine/DeliveredQuantity) lines."""
    line_tag, quantity_tag = (
        ("cac:ReceiptLine", "cbc:ReceivedQuantity")
        if kind == "ReceiptAdvice"
        else ("cac:DespatchLine", "cbc:DeliveredQuantity")
    )
    document = _need(root, "cbc:ID", where)
    day = _date(_need(root, "cbc:IssueDate", where), where)
    header_order = _text(root, "cac:OrderReference/cbc:ID")
    receipts = []
    for index, node in enumerate(root.findall(line_tag, NS), start=1):
        line_where = f"{where}: line {index}"
        quantity = node.find(quantity_tag, NS)
        if quantity is None or not quantity.text:
            raise TradeDocumentError(f"{line_where}: {quantity_tag} is missing")
        order = _text(node, "cac:OrderLineReference/cac:OrderReference/cbc:ID") or header_order
        if order is None:
            raise TradeDocumentError(f"{line_where}: no order reference on the line or the document")
        received = _text(node, "cbc:ReceivedDate")
        receipts.append(
            GoodsReceipt(
                id=f"{document}/{index}",
                po_id=order,
                po_line=_need(node, "cac:OrderLineReference/cbc:LineID", line_where),
                quantity=_decimal(quantity.text.strip(), line_where),
                unit=quantity.get("unitCode") or "EA",
                receipt_date=_date(received, line_where) if received else day,
            )
        )
    if not receipts:
        raise TradeDocumentError(f"{where}: no {line_tag} in the document")
    return ErpState(goods_receipts=receipts)


def _xml(path: Path) -> ErpState:
    try:
        root = SafeElementTree.parse(path).getroot()
    except Exception as error:  # defusedxml raises ParseError or its own DefusedXmlException
        raise TradeDocumentError(f"{path}: not well-formed XML ({error})") from error
    namespace = root.tag[1:].split("}")[0] if root.tag.startswith("{") else ""
    kind = ROOTS.get(namespace)
    if kind is None:
        raise TradeDocumentError(f"{path}: {root.tag} is not a UBL Order, DespatchAdvice or ReceiptAdvice")
    return _order(root, str(path)) if kind == "Order" else _receipts(root, kind, str(path))


def _yaml(path: Path) -> ErpState:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise TradeDocumentError(f"{path}: expected a mapping of record lists")
    data = data.get("erp", data)
    try:
        return ErpState.model_validate(data)
    except ValidationError as error:
        raise TradeDocumentError(f"{path}: {error.errors()[0]['loc']}: {error.errors()[0]['msg']}") from error


_RECEIPT_COLUMNS = {"po_id", "po_line", "quantity", "unit", "receipt_date"}
_ORDER_COLUMNS = {"po_id", "vendor_id", "currency", "line", "description", "quantity", "unit", "unit_price"}


def _csv(path: Path) -> ErpState:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    columns = set(rows[0]) if rows else set()
    try:
        if columns >= _RECEIPT_COLUMNS:
            return ErpState(
                goods_receipts=[
                    GoodsReceipt.model_validate({"id": row.get("id") or f"{path.stem}/{n}", **row})
                    for n, row in enumerate(rows, start=1)
                ]
            )
        if columns >= _ORDER_COLUMNS:
            orders: dict[str, dict[str, Any]] = {}
            for row in rows:
                order = orders.setdefault(
                    row["po_id"],
                    {
                        "id": row["po_id"],
                        "vendor_id": row["vendor_id"],
                        "currency": row["currency"],
                        "lines": [],
                    },
                )
                order["lines"].append(
                    {key: row[key] for key in ("line", "description", "quantity", "unit", "unit_price")}
                )
            return ErpState(
                purchase_orders=[
                    PurchaseOrder.model_validate({**o, "status": "open"}) for o in orders.values()
                ]
            )
    except ValidationError as error:
        raise TradeDocumentError(f"{path}: {error.errors()[0]['loc']}: {error.errors()[0]['msg']}") from error
    raise TradeDocumentError(
        f"{path}: columns {sorted(columns)} are neither receipts ({sorted(_RECEIPT_COLUMNS)}) "
        f"nor order lines ({sorted(_ORDER_COLUMNS)})"
    )


def load_trade(paths: list[Path]) -> ErpState:
    """Every file's records merged, in the order given (YAML first lets it name the vendors).

    What was received is what the buyer's receipt advice says; a despatch advice (what the
    supplier says it sent) counts only for order lines no receipt advice or receipt row covers,
    so loading both never receives a delivery twice.
    """
    state = ErpState()
    despatched: list[GoodsReceipt] = []
    for path in paths:
        if not path.is_file():
            raise TradeDocumentError(f"{path}: no such file")
        suffix = path.suffix.lower()
        if suffix == ".xml":
            loaded = _xml(path)
            if _is_despatch(path):
                despatched += loaded.goods_receipts
            else:
                state.merge(loaded)
        elif suffix in (".yaml", ".yml"):
            state.merge(_yaml(path))
        elif suffix == ".csv":
            state.merge(_csv(path))
        else:
            raise TradeDocumentError(f"{path}: expected .xml (UBL), .yaml/.yml or .csv")
    covered = {(receipt.po_id, receipt.po_line) for receipt in state.goods_receipts}
    state.goods_receipts += [r for r in despatched if (r.po_id, r.po_line) not in covered]
    return state


def _is_despatch(path: Path) -> bool:
    root = SafeElementTree.parse(path).getroot()
    return root.tag.endswith("}DespatchAdvice")
