"""Vendor master records to validate, from a CSV extract or through `PayablesERP`.

The ERP Protocol exposes name, tax id, country, block flag and bank accounts; a CSV extract can
add the postal address, which the name+address duplicate rule and the mandatory-field check use
when present. Open purchase orders come with the records so "blocked but still on open POs" can
be checked.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from agents.procurement.errors import SupplierDataError
from connectors.erp.models import PurchaseOrderStatus
from connectors.erp.protocol import PayablesERP
from connectors.readonly import read_only_erp

CSV_REQUIRED = ("vendor_id", "name")
CSV_OPTIONAL = ("tax_id", "country", "street", "city", "postal_code", "iban", "account_number", "blocked")
_TRUE = {"1", "true", "yes", "y", "x"}


@dataclass(frozen=True)
class SupplierRecord:
    """One vendor as the validator sees it (vendor-neutral)."""

    vendor_id: str
    name: str
    tax_id: str = ""
    country: str = ""
    street: str = ""
    city: str = ""
    postal_code: str = ""
    iban: str = ""
    account_number: str = ""
    blocked: bool = False
    has_address: bool = True
    """False when the source cannot supply addresses (the ERP Protocol does not)."""


@dataclass
class SupplierMaster:
    """The records plus the open POs per vendor id."""

    records: list[SupplierRecord]
    open_orders: dict[str, list[str]] = field(default_factory=dict)
    source: str = "vendor master"


def load_supplier_csv(path: str | Path, open_orders_path: str | Path | None = None) -> SupplierMaster:
    """Read a vendor master extract (``vendor_id,name,...``) and optionally ``po_id,vendor_id``."""
    path = Path(path)
    rows = _read(path, CSV_REQUIRED)
    records = []
    seen: set[str] = set()
    for number, row in enumerate(rows, start=2):
        vendor_id = row["vendor_id"]
        if not vendor_id:
            raise SupplierDataError(f"{path}: row {number}: vendor_id must not be empty")
        if vendor_id in seen:
            raise SupplierDataError(f"{path}: row {number}: vendor_id {vendor_id!r} appears twice")
        seen.add(vendor_id)
        records.append(
            SupplierRecord(
                vendor_id=vendor_id,
                name=row["name"],
                tax_id=row.get("tax_id", ""),
                country=row.get("country", ""),
                street=row.get("street", ""),
                city=row.get("city", ""),
                postal_code=row.get("postal_code", ""),
                iban=row.get("iban", ""),
                account_number=row.get("account_number", ""),
                blocked=row.get("blocked", "").lower() in _TRUE,
            )
        )
    orders: dict[str, list[str]] = {}
    if open_orders_path is not None:
        for row in _read(Path(open_orders_path), ("po_id", "vendor_id")):
            orders.setdefault(row["vendor_id"], []).append(row["po_id"])
    return SupplierMaster(records, orders, str(path))


def _read(path: Path, required: tuple[str, ...]) -> list[dict[str, str]]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            header = reader.fieldnames or []
            if not header:
                raise SupplierDataError(f"{path}: empty file, expected a header row")
            missing = [c for c in required if c not in header]
            if missing:
                raise SupplierDataError(
                    f"{path}: missing column(s) {', '.join(missing)} (found {', '.join(header)})"
                )
            return [{k: (v or "").strip() for k, v in row.items() if k is not None} for row in reader]
    except UnicodeDecodeError as exc:
        raise SupplierDataError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except csv.Error as exc:
        raise SupplierDataError(f"{path}: malformed CSV: {exc}") from None
    except OSError as exc:
        raise SupplierDataError(f"{path}: cannot read: {exc.strerror or exc}") from None


def load_supplier_erp(erp: PayablesERP, vendor_ids: Mapping[str, None] | None = None) -> SupplierMaster:
    """Every vendor the ERP returns for an empty name search, plus every vendor on a PO.

    The Protocol has no "list all vendors": an empty-name search is what the fake and both
    adapters answer with everything; vendors referenced by orders are fetched by id as well.
    """
    source = type(erp).__name__
    erp = read_only_erp(erp)
    vendors = {v.id: v for v in erp.search_vendors(name="")}
    orders = erp.list_purchase_orders()
    for order in orders:
        if order.vendor_id not in vendors:
            vendors[order.vendor_id] = erp.get_vendor(order.vendor_id)
    for vendor_id in vendor_ids or {}:
        if vendor_id not in vendors:
            vendors[vendor_id] = erp.get_vendor(vendor_id)
    records = []
    for vendor in sorted(vendors.values(), key=lambda v: v.id):
        account = vendor.bank_accounts[0] if vendor.bank_accounts else None
        records.append(
            SupplierRecord(
                vendor_id=vendor.id,
                name=vendor.name,
                tax_id=vendor.tax_id or "",
                country=vendor.country or "",
                iban=(account.iban or "") if account else "",
                account_number=(account.account_number or "") if account else "",
                blocked=vendor.blocked,
                has_address=False,
            )
        )
    open_orders: dict[str, list[str]] = {}
    for order in orders:
        if order.status is PurchaseOrderStatus.OPEN:
            open_orders.setdefault(order.vendor_id, []).append(order.id)
    return SupplierMaster(records, open_orders, source)
