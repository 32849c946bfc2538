"""Whose name, VAT id and IBAN: party blocks told apart by their role on the page, in layouts the
generated sets do not contain (seller on the right, a marketplace "Sold by", a footer-only seller
with the buyer's VAT id in the header, captions in six languages, a direct-debit IBAN)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest
from ap_drawn_pages import read_drawn

from agents.ap.invoice import ExtractedInvoice

Text = tuple[float, float, str, float]
"""(x, top, text, font size): top measured from the top of an A4 page."""

ITEMS: list[Text] = [
    (40, 330, "Description", 9),
    (330, 330, "Qty", 9),
    (400, 330, "Price", 9),
    (500, 330, "Amount", 9),
    (40, 346, "Consulting services", 9),
    (330, 346, "2", 9),
    (400, 346, "400.00", 9),
    (500, 346, "800.00", 9),
    (40, 360, "Mounting kit 25 kg", 9),
    (330, 360, "1", 9),
    (400, 360, "200.00", 9),
    (500, 360, "200.00", 9),
]


def _draw(path: Path, texts: Sequence[Text]) -> ExtractedInvoice:
    return read_drawn(path, texts)


def test_seller_captioned_block_on_the_right_wins_over_the_buyer_block_read_first(tmp_path: Path) -> None:
    invoice = _draw(
        tmp_path / "de_right.pdf",
        [
            (40, 60, "Rechnungsempfänger", 9),
            (40, 74, "Stadtwerke Kiel GmbH", 10),
            (40, 88, "Hafenstraße 3", 10),
            (40, 102, "24103 Kiel", 10),
            (40, 116, "USt-IdNr.: DE136695976", 10),
            (320, 60, "Lieferant", 9),
            (320, 74, "Nordlicht Elektro GmbH", 10),
            (320, 88, "Werftweg 9", 10),
            (320, 102, "20457 Hamburg", 10),
            (320, 116, "USt-IdNr.: DE811569869", 10),
            (40, 200, "Rechnung Nr. RE-2026-118", 14),
            (40, 224, "Rechnungsdatum: 03.02.2026", 10),
            *ITEMS,
            (400, 400, "Gesamtbetrag", 10),
            (500, 400, "1,000.00", 10),
            (40, 780, "Bankverbindung: IBAN DE89 3704 0044 0532 0130 00", 8),
        ],
    )
    assert invoice.vendor_name.value == "Nordlicht Elektro GmbH"
    assert invoice.vendor_tax_id.value == "DE811569869"
    assert invoice.vendor_tax_id.confidence >= 0.9  # the seller's caption says whose it is
    assert invoice.iban.value == "DE89370400440532013000"


def test_marketplace_sold_by_names_the_seller_not_the_platform(tmp_path: Path) -> None:
    invoice = _draw(
        tmp_path / "marketplace.pdf",
        [
            (40, 40, "ShopHub Marketplace", 22),
            (400, 44, "Tax Invoice", 14),
            (40, 90, "Sold by: Riverside Gadgets Ltd", 10),
            (40, 104, "12 Quay Street, Bristol BS1 4DJ", 10),
            (40, 118, "VAT Reg. No.: GB 123 4567 89", 10),
            (320, 90, "Ship to", 9),
            (320, 104, "Anna Schmidt", 10),
            (320, 118, "Lindenweg 4, 10115 Berlin", 10),
            (40, 180, "Invoice number: SH-99812", 10),
            (40, 194, "Invoice date: 12 March 2026", 10),
            *ITEMS,
            (400, 400, "Total", 10),
            (500, 400, "1,000.00", 10),
            (40, 780, "ShopHub Marketplace collects payment on behalf of the seller.", 8),
        ],
    )
    assert invoice.vendor_name.value == "Riverside Gadgets Ltd"
    assert invoice.vendor_tax_id.value == "GB123456789"


def test_footer_only_seller_and_the_buyers_vat_id_in_the_header(tmp_path: Path) -> None:
    invoice = _draw(
        tmp_path / "footer_seller.pdf",
        [
            (40, 60, "Client :", 9),
            (40, 74, "Boulangerie Martin SAS", 10),
            (40, 88, "4 place Bellecour, 69002 Lyon", 10),
            (40, 102, "TVA : FR40303265045", 10),
            (330, 60, "FACTURE", 18),
            (330, 90, "N° de facture : F-2026-0417", 10),
            (330, 104, "Date : 14/03/2026", 10),
            *ITEMS,
            (400, 400, "Total TTC", 10),
            (500, 400, "1,000.00", 10),
            (40, 770, "Atelier Graphique Dupont SARL - 8 rue des Arts - 31000 Toulouse", 7),
            (40, 780, "SIRET 732 829 320 00074 - TVA intracommunautaire : FR44732829320", 7),
            (40, 790, "IBAN : FR76 3000 6000 0112 3456 7890 189", 7),
        ],
    )
    assert invoice.vendor_name.value == "Atelier Graphique Dupont SARL"
    assert invoice.vendor_tax_id.value == "FR44732829320"
    assert invoice.iban.value == "FR7630006000011234567890189"


@pytest.mark.parametrize(
    ("seller_caption", "buyer_caption", "label"),
    [
        ("Proveedor", "Facturar a", "NIF"),
        ("Fornitore", "Cessionario/committente", "P.IVA"),
        ("Leverancier", "Factuur aan", "Btw-nr."),
        ("Fournisseur", "Destinataire", "N° TVA"),
        ("Seller", "Bill to", "VAT No."),
    ],
)
def test_captions_decide_between_two_valid_vat_ids_in_six_languages(
    tmp_path: Path, seller_caption: str, buyer_caption: str, label: str
) -> None:
    invoice = _draw(
        tmp_path / "captions.pdf",
        [
            (40, 60, buyer_caption, 9),
            (40, 74, "Buyer Holding BV", 10),
            (40, 88, f"{label} NL004495445B01", 10),
            (320, 60, seller_caption, 9),
            (320, 74, "Studio Rossi S.r.l.", 10),
            (320, 88, f"{label} IT00743110157", 10),
            (40, 200, "Invoice no. 2026/77", 12),
            *ITEMS,
            (400, 400, "Total", 10),
            (500, 400, "1,000.00", 10),
        ],
    )
    assert invoice.vendor_name.value == "Studio Rossi S.r.l."
    assert invoice.vendor_tax_id.value == "IT00743110157"


def test_two_vat_ids_without_any_role_stay_below_auto_post(tmp_path: Path) -> None:
    invoice = _draw(
        tmp_path / "no_roles.pdf",
        [
            (40, 60, "Alpha Trading GmbH", 10),
            (40, 74, "USt-IdNr. DE811569869", 10),
            (320, 60, "Beta Handel GmbH", 10),
            (320, 74, "USt-IdNr. DE136695976", 10),
            (40, 200, "Rechnung Nr. 4711", 12),
            *ITEMS,
        ],
    )
    assert invoice.vendor_tax_id.confidence < 0.9


def test_recipient_block_with_an_attention_line_is_not_the_seller(tmp_path: Path) -> None:
    invoice = _draw(
        tmp_path / "attention.pdf",
        [
            (40, 130, "Hargreaves Logistics Ltd", 11),
            (40, 144, "Attn: Accounts Payable", 11),
            (40, 158, "5 Dock Road, Liverpool L3 4AA", 11),
            (400, 40, "Pennine Print Co", 14),
            (400, 56, "7 Mill Lane, Leeds", 10),
            (400, 70, "Company No. 08123456", 10),
            (400, 84, "IBAN GB33 BUKB 2020 1555 5555 55", 10),
            (40, 220, "Invoice No. PP-311", 12),
            *ITEMS,
        ],
    )
    assert invoice.vendor_name.value == "Pennine Print Co"


def test_a_direct_debit_from_the_buyers_account_is_not_the_sellers_iban(tmp_path: Path) -> None:
    invoice = _draw(
        tmp_path / "debit.pdf",
        [
            (40, 40, "Wasserwerk Süd GmbH", 16),
            (40, 200, "Rechnung Nr. WS-55", 12),
            *ITEMS,
            (40, 420, "Ihre IBAN: DE02 1203 0000 0000 2020 51", 10),
            (40, 780, "Wasserwerk Süd GmbH · IBAN DE89 3704 0044 0532 0130 00", 8),
        ],
    )
    assert invoice.iban.value == "DE89370400440532013000"


def test_a_line_item_with_a_unit_is_never_the_vendor_name(tmp_path: Path) -> None:
    invoice = _draw(tmp_path / "items.pdf", [(40, 40, "Invoice 99-1", 14), *ITEMS, *ITEMS[4:8]])
    assert invoice.vendor_name.value != "Mounting kit 25 kg"
    assert invoice.vendor_name.confidence < 0.9


@pytest.mark.parametrize(
    "buyer_label",
    [
        "Ihre USt-IdNr.:",
        "Customer VAT No.:",
        "N° TVA client :",
        "P.IVA cliente:",
        "NIF cliente:",
        "Btw-nummer klant:",
        "Kunden-USt-IdNr.:",
        "Votre n° TVA :",
        "Partita IVA del cliente:",
        "Su NIF:",
        "Buyer VAT ID:",
        "VAT number of the customer:",
        "Uw btw-nummer:",
        "USt-IdNr. des Leistungsempfängers:",
    ],
)
def test_an_id_printed_with_buyer_wording_is_the_buyers(tmp_path: Path, buyer_label: str) -> None:
    invoice = _draw(
        tmp_path / "buyer_wording.pdf",
        [
            (40, 40, "Kontor Weiss GmbH", 16),
            (40, 120, "Meridian Foods plc", 10),
            (40, 134, f"{buyer_label} GB123456789", 10),
            (40, 200, "Invoice no. KW-8", 12),
            *ITEMS,
            (40, 770, "Kontor Weiss GmbH · Hafenweg 2 · 20457 Hamburg", 8),
            (400, 790, "DE811569869", 8),
        ],
    )
    assert invoice.vendor_tax_id.value == "DE811569869"
    assert invoice.vendor_name.value == "Kontor Weiss GmbH"


def test_an_iban_in_the_buyers_block_is_not_the_sellers(tmp_path: Path) -> None:
    invoice = _draw(
        tmp_path / "buyer_iban.pdf",
        [
            (40, 40, "Kontor Weiss GmbH", 16),
            (40, 100, "Kunde:", 9),
            (40, 114, "Meridian Foods plc", 10),
            (40, 128, "IBAN GB33 BUKB 2020 1555 5555 55", 10),
            (40, 200, "Rechnung Nr. KW-9", 12),
            *ITEMS,
            (40, 780, "Bankverbindung: Kontor Weiss GmbH · IBAN DE89 3704 0044 0532 0130 00", 8),
        ],
    )
    assert invoice.iban.value == "DE89370400440532013000"


def test_remit_to_block_at_the_bottom_names_the_seller_and_its_ein(tmp_path: Path) -> None:
    invoice = _draw(
        tmp_path / "remit.pdf",
        [
            (40, 40, "BRIGHTLINE", 24),
            (400, 44, "INVOICE", 16),
            (40, 100, "Bill To:", 9),
            (40, 114, "Cobalt Mining Corp.", 10),
            (40, 128, "EIN 12-3456789", 10),
            (400, 100, "Invoice #: 1009", 10),
            *ITEMS,
            (40, 700, "Remit To:", 9),
            (40, 714, "Brightline Signs LLC", 10),
            (40, 728, "PO Box 88, Austin TX 78701", 10),
            (40, 742, "EIN 98-7654321", 10),
        ],
    )
    assert invoice.vendor_name.value == "Brightline Signs LLC"
    assert invoice.vendor_tax_id.value == "98-7654321"


def test_an_iban_in_a_direct_debit_sentence_yields_to_the_sellers_account(tmp_path: Path) -> None:
    invoice = _draw(
        tmp_path / "debit_sentence.pdf",
        [
            (40, 40, "Stadtwerke Nord GmbH", 16),
            (40, 200, "Rechnung Nr. SN-7", 12),
            *ITEMS,
            (
                40,
                420,
                "Der Betrag wird per SEPA-Lastschrift von Ihrem Konto DE02 1203 0000 0000 2020 51 abgebucht.",
                9,
            ),
            (40, 780, "Stadtwerke Nord GmbH · Hafenweg 1 · 24103 Kiel · DE89 3704 0044 0532 0130 00", 7),
        ],
    )
    assert invoice.iban.value == "DE89370400440532013000"
    assert invoice.iban.confidence < 0.9  # printed without a label


def test_a_buyer_in_the_window_set_larger_than_the_letterhead_is_not_reported_confidently(
    tmp_path: Path,
) -> None:
    invoice = _draw(
        tmp_path / "buyer_big.pdf",
        [
            (40, 120, "Gemeindewerke Oberdorf AG", 14),
            (40, 136, "Postfach 12", 10),
            (40, 150, "3000 Bern", 10),
            (400, 40, "Schreinerei Huber", 10),
            (400, 54, "Dorfstrasse 5, 3600 Thun", 10),
            (400, 68, "MWST CHE-116.281.710", 10),
            (40, 220, "Rechnung 2026-4", 12),
            *ITEMS,
            (40, 780, "Schreinerei Huber · Dorfstrasse 5 · 3600 Thun · IBAN CH93 0076 2011 6238 5295 7", 7),
        ],
    )
    # no caption, attention line or sender line says whose block is whose: never auto-posted
    if invoice.vendor_name.value != "Schreinerei Huber":
        assert invoice.vendor_name.confidence < 0.9
