"""A deterministic sample company: the one data set behind `FakeERP.sample()` and the mock fixtures.

`fixtures/sap/generate_erp_fixtures.py` renders this same company into SAP OData and NetSuite REST
wire formats, so the fake and both mocks agree on the story: ~25 vendors (some with bank
details, two blocked, a near-duplicate pair sharing a tax id), ~60 purchase orders with ~200
lines of realistic purchasing text, receipts that are full, partial, split over several
deliveries or missing, and a few posted invoices; plus the customers' sales orders, deliveries,
earlier credits, invoices and subscriptions of `connectors.erp.sample_sales`. Randomness is seeded; ids are neutral
("V01", "PO001") and each renderer maps them onto its vendor's number ranges.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Protocol

from connectors.erp.billing import CustomerInvoice, Subscription
from connectors.erp.models import (
    BankAccount,
    GoodsReceipt,
    InvoiceLine,
    InvoiceStatus,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseOrderStatus,
    SupplierInvoice,
    Vendor,
)
from connectors.erp.sales import CreditMemo, Delivery, SalesOrder
from connectors.erp.sample_sales import SalesSample, build_sales_sample

SEED = 20240611
START = date(2024, 3, 1)

# name, country, tax id, currency, IBAN (None = no bank details on file), blocked, catalogue
_VENDORS: list[tuple[str, str, str | None, str, str | None, bool, str]] = [
    ("Müller Industrietechnik GmbH", "DE", "DE811569869", "EUR", "DE89370400440532013000", False, "mro"),
    ("Mueller Industrie-Technik GmbH", "DE", "DE811569869", "EUR", "DE44500105175407324931", False, "mro"),
    ("Bürobedarf Schneider KG", "DE", "DE136695976", "EUR", "DE02120300000000202051", False, "office"),
    ("Dell Technologies Deutschland GmbH", "DE", "DE113541138", "EUR", "DE02500105170137075030", False, "it"),
    ("Lyreco France SAS", "FR", "FR40303265045", "EUR", "FR1420041010050500013M02606", False, "office"),
    ("Atos Consulting SE", "FR", "FR53323623603", "EUR", "FR7630006000011234567890189", False, "services"),
    ("Randstad Nederland BV", "NL", "NL004495445B01", "EUR", "NL91ABNA0417164300", False, "staffing"),
    ("Wurth Industrie Service", "DE", "DE146346386", "EUR", None, False, "mro"),
    ("Staples Solutions BV", "NL", "NL805468287B01", "EUR", "NL20INGB0001234567", False, "office"),
    ("Grainger Industrial Supply", "US", "36-1150280", "USD", None, False, "mro"),
    ("CDW LLC", "US", "36-4230110", "USD", None, False, "it"),
    ("Amazon Business EU SARL", "LU", "LU26375245", "EUR", "LU280019400644750000", False, "marketplace"),
    ("ISS Facility Services GmbH", "DE", "DE129470542", "EUR", "DE75512108001245126199", False, "facilities"),
    ("DHL Express Germany GmbH", "DE", "DE169838187", "EUR", "DE12500105170648489890", False, "logistics"),
    ("Sodexo Services SRL", "IT", "IT00805980157", "EUR", "IT60X0542811101000000123456", False, "catering"),
    (
        "Telefónica Germany GmbH & Co OHG",
        "DE",
        "DE811889638",
        "EUR",
        "DE91100000000123456789",
        False,
        "telecom",
    ),
    ("Accenture Belgium NV", "BE", "BE0428656513", "EUR", "BE68539007547034", False, "services"),
    (
        "Securitas Seguridad España SA",
        "ES",
        "ESA79252219",
        "EUR",
        "ES9121000418450200051332",
        False,
        "facilities",
    ),
    ("Fastenal Company", "US", "41-0948415", "USD", None, False, "mro"),
    (
        "Hays Specialist Recruitment Ltd",
        "GB",
        "GB771234524",
        "GBP",
        "GB29NWBK60161331926819",
        False,
        "staffing",
    ),
    ("Ricoh Deutschland GmbH", "DE", "DE152197442", "EUR", "DE27100777770209299700", False, "office"),
    ("Lufthansa City Center Reisebüro", "DE", "DE118535590", "EUR", None, False, "travel"),
    ("Quick Print Copy Shop", "DE", None, "EUR", None, True, "office"),
    ("Shady Components Ltd", "GB", "GB980780684", "GBP", "GB82WEST12345698765432", True, "mro"),
    (
        "Iron Mountain Deutschland GmbH",
        "DE",
        "DE811308372",
        "EUR",
        "DE81500105175419645787",
        False,
        "logistics",
    ),
]

# catalogue -> (purchasing text, unit, unit price range)
_CATALOGUE: dict[str, list[tuple[str, str, tuple[int, int]]]] = {
    "office": [
        ("Copy paper A4 80g/m2, 500 sheets/ream", "PAK", (3, 6)),
        ("Toner cartridge black HP 59A", "EA", (80, 140)),
        ("Ballpoint pens blue, box of 50", "BOX", (9, 20)),
        ("Lever arch files A4 80mm", "EA", (2, 5)),
        ("Sticky notes 76x76 yellow, 12 pads", "PAK", (5, 11)),
        ("Ergonomic office chair with lumbar support", "EA", (180, 420)),
        ("Whiteboard markers assorted, set of 8", "SET", (6, 14)),
    ],
    "it": [
        ("Laptop Latitude 5440 i5 16GB 512GB SSD", "EA", (900, 1400)),
        ("27in monitor USB-C QHD", "EA", (240, 420)),
        ("USB-C docking station WD19S", "EA", (150, 260)),
        ("Microsoft 365 E3 licence, 12 months", "EA", (250, 420)),
        ("Wireless keyboard and mouse set", "EA", (35, 80)),
        ("Network switch 24-port PoE managed", "EA", (600, 1500)),
        ("Server rack mount kit 2U", "EA", (60, 140)),
    ],
    "mro": [
        ("Hex socket bolts M8x40 DIN 912 8.8 zinc, box 100", "BOX", (12, 30)),
        ("Safety gloves nitrile size 9, 12 pairs", "PAK", (18, 40)),
        ("Hydraulic oil HLP 46, 20 l canister", "EA", (60, 120)),
        ("Ball bearing 6204-2RS", "EA", (4, 12)),
        ("Cable ties 300x4.8mm black, bag 100", "BAG", (5, 12)),
        ("Safety goggles anti-fog EN166", "EA", (6, 18)),
        ("Angle grinder cutting discs 125mm, 25 pcs", "PAK", (20, 45)),
    ],
    "services": [
        ("SAP S/4HANA migration consulting, senior consultant", "H", (120, 210)),
        ("IT security audit ISO 27001 readiness", "H", (140, 230)),
        ("Project management support Q2", "H", (95, 160)),
        ("Data protection officer external service, monthly fee", "MON", (900, 2200)),
    ],
    "staffing": [
        ("Temporary staff warehouse operative", "H", (24, 38)),
        ("Interim accounts payable clerk", "H", (32, 55)),
        ("Contractor software developer Python", "H", (70, 120)),
    ],
    "marketplace": [
        ("USB-C to HDMI adapter 4K", "EA", (12, 30)),
        ("Coffee beans espresso 1kg", "PAK", (14, 28)),
        ("First aid kit DIN 13157", "EA", (25, 60)),
        ("AA batteries alkaline, pack of 24", "PAK", (9, 18)),
        ("Desk lamp LED dimmable", "EA", (25, 70)),
    ],
    "facilities": [
        ("Office cleaning services, monthly contract", "MON", (1800, 4200)),
        ("Window cleaning exterior facade", "EA", (600, 1500)),
        ("Security guard services night shift", "H", (22, 35)),
        ("HVAC maintenance quarterly inspection", "EA", (450, 1200)),
    ],
    "logistics": [
        ("Express courier shipment EU next day", "EA", (25, 80)),
        ("Pallet freight domestic, per pallet", "EA", (90, 220)),
        ("Document archiving boxes storage, monthly", "MON", (150, 600)),
        ("Secure shredding service, 240 l bin", "EA", (20, 45)),
    ],
    "catering": [
        ("Canteen lunch service, monthly", "MON", (5000, 12000)),
        ("Meeting room catering, per person", "EA", (12, 30)),
    ],
    "telecom": [
        ("Mobile voice and data plan, per SIM monthly", "EA", (15, 45)),
        ("SIP trunk channels, monthly", "MON", (200, 700)),
    ],
    "travel": [
        ("Flight booking FRA-LHR economy", "EA", (180, 520)),
        ("Hotel accommodation business trip Munich, per night", "EA", (110, 240)),
        ("Rail pass BahnCard 50 business", "EA", (240, 500)),
    ],
}


@dataclass
class SampleCompany:
    """The sample company in neutral models."""

    vendors: list[Vendor] = field(default_factory=list)
    orders: list[PurchaseOrder] = field(default_factory=list)
    receipts: list[GoodsReceipt] = field(default_factory=list)
    invoices: list[SupplierInvoice] = field(default_factory=list)
    vendor_currency: dict[str, str] = field(default_factory=dict)
    """Vendor id -> the currency the vendor invoices in (its master-data default)."""
    sales: SalesSample = field(default_factory=SalesSample)
    """Customers' sales orders, deliveries and earlier credits (`connectors.erp.sample_sales`)."""


def _price(rng: random.Random, low: int, high: int) -> Decimal:
    return Decimal(rng.randint(low * 100, high * 100)) / 100


def build_sample_company(seed: int = SEED) -> SampleCompany:
    """Build the company; the same seed always yields the same records."""
    rng = random.Random(seed)
    company = SampleCompany()
    for index, (name, country, tax_id, currency, iban, blocked, _cat) in enumerate(_VENDORS, start=1):
        accounts = (BankAccount(iban=iban, country=iban[:2], holder=name),) if iban else ()
        company.vendor_currency[f"V{index:02d}"] = currency
        company.vendors.append(
            Vendor(
                id=f"V{index:02d}",
                name=name,
                tax_id=tax_id,
                country=country,
                blocked=blocked,
                bank_accounts=accounts,
            )
        )
    orderable = [i for i, v in enumerate(_VENDORS) if not v[5]]
    line_total = 0
    for number in range(1, 61):
        vendor_index = orderable[(number * 7) % len(orderable)]
        _name, _country, _tax, currency, _iban, _blocked, catalogue = _VENDORS[vendor_index]
        order_date = START + timedelta(days=rng.randint(0, 150))
        remaining_orders = 60 - number + 1
        count = max(1, min(6, round((200 - line_total) / remaining_orders) + rng.randint(-1, 1)))
        if number == 60:
            count = max(1, 200 - line_total)
        line_total += count
        lines = []
        for position in range(count):
            text, unit, (low, high) = rng.choice(_CATALOGUE[catalogue])
            quantity = Decimal(rng.choice([1, 2, 5, 10, 12, 20, 25, 40, 50, 100]))
            lines.append(
                PurchaseOrderLine(
                    line=str((position + 1) * 10),
                    description=text,
                    quantity=quantity,
                    unit=unit,
                    unit_price=_price(rng, low, high),
                    delivery_date=order_date + timedelta(days=rng.randint(5, 30)),
                )
            )
        order = PurchaseOrder(
            id=f"PO{number:03d}",
            vendor_id=f"V{vendor_index + 1:02d}",
            currency=currency,
            status=PurchaseOrderStatus.CLOSED if number % 9 == 0 else PurchaseOrderStatus.OPEN,
            order_date=order_date,
            company="1010",
            lines=tuple(lines),
        )
        company.orders.append(order)
        _receive(rng, company, order)
    _invoice_some(company)
    company.sales = build_sales_sample(seed)
    return company


def _receive(rng: random.Random, company: SampleCompany, order: PurchaseOrder) -> None:
    """Receipts by pattern: full, partial, split deliveries, or nothing yet."""
    pattern = rng.choice(["full", "full", "partial", "split", "none"])
    if order.status is PurchaseOrderStatus.CLOSED:
        pattern = "full"
    if pattern == "none":
        return
    for line in order.lines:
        when = (order.order_date or START) + timedelta(days=rng.randint(3, 20))
        if pattern == "split" and line.quantity >= 2:
            first = (line.quantity / 2).to_integral_value()
            parts = [first, line.quantity - first]
        elif pattern == "partial":
            parts = [max(Decimal(1), (line.quantity * Decimal("0.6")).to_integral_value())]
        else:
            parts = [line.quantity]
        for offset, quantity in enumerate(parts):
            company.receipts.append(
                GoodsReceipt(
                    id=f"GR{len(company.receipts) + 1:04d}",
                    po_id=order.id,
                    po_line=line.line,
                    quantity=quantity,
                    unit=line.unit,
                    receipt_date=when + timedelta(days=7 * offset),
                )
            )


def _invoice_some(company: SampleCompany) -> None:
    """Posted invoices for the first fully received orders; one held for a price variance."""
    received = {(r.po_id, r.po_line) for r in company.receipts}
    candidates = [o for o in company.orders if all((o.id, line.line) in received for line in o.lines)]
    for number, order in enumerate(candidates[:5], start=1):
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
        tax = (net * Decimal("0.19")).quantize(Decimal("0.01"))
        held = number == 5
        company.invoices.append(
            SupplierInvoice(
                id=f"INV{number:02d}",
                vendor_id=order.vendor_id,
                reference=f"RE-2024-{1000 + number * 37}",
                invoice_date=(order.order_date or START) + timedelta(days=25),
                currency=order.currency,
                gross_amount=net + tax,
                tax_amount=tax,
                status=InvoiceStatus.ON_HOLD if held else InvoiceStatus.POSTED,
                hold_reason="price variance" if held else None,
                lines=lines,
            )
        )


class SampleSink(Protocol):
    """What `seed_sample` fills: the seeding methods of `FakeERP` (or any store shaped like it)."""

    def add_vendor(self, vendor: Vendor) -> None: ...
    def add_purchase_order(self, order: PurchaseOrder) -> None: ...
    def add_goods_receipt(self, receipt: GoodsReceipt) -> None: ...
    def add_invoice(self, invoice: SupplierInvoice) -> None: ...
    def add_sales_order(self, order: SalesOrder) -> None: ...
    def add_delivery(self, delivery: Delivery) -> None: ...
    def add_credit_memo(self, memo: CreditMemo) -> None: ...
    def add_customer_invoice(self, invoice: CustomerInvoice) -> None: ...
    def add_subscription(self, subscription: Subscription) -> None: ...


def seed_sample(fake: SampleSink, seed: int = SEED) -> None:
    company = build_sample_company(seed)
    for vendor in company.vendors:
        fake.add_vendor(vendor)
    for order in company.orders:
        fake.add_purchase_order(order)
    for receipt in company.receipts:
        fake.add_goods_receipt(receipt)
    for invoice in company.invoices:
        fake.add_invoice(invoice)
    for sales_order in company.sales.orders:
        fake.add_sales_order(sales_order)
    for delivery in company.sales.deliveries:
        fake.add_delivery(delivery)
    for memo in company.sales.credit_memos:
        fake.add_credit_memo(memo)
    for customer_invoice in company.sales.invoices:
        fake.add_customer_invoice(customer_invoice)
    for subscription in company.sales.subscriptions:
        fake.add_subscription(subscription)
