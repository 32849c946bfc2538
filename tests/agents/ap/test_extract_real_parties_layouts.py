"""Seller name, tax id and IBAN on kinds of page met in real invoices from other producers: a name
cut at the line end, a recipient opened by a salutation, a caption with its name on the same line,
labels and sentences that are not names, non-EU tax ids, an IBAN glued to the next column. Each
kind is drawn twice, in another language or position."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ap_drawn_pages import read_drawn

from agents.ap.extract.identifiers import find_ibans, find_vat_ids
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
]


def _draw(path: Path, texts: Sequence[Text]) -> ExtractedInvoice:
    return read_drawn(path, texts)


def test_a_name_cut_at_the_line_end_goes_on_in_the_line_below(tmp_path: Path) -> None:
    invoice = _draw(
        tmp_path / "de_insurer.pdf",
        [
            (40, 40, "Hanseatische Feuerkasse", 11),
            (40, 53, "Versicherungsverein Hamburg a.G.", 11),
            (40, 90, "Herrn", 10),
            (40, 103, "Max Mustermann", 10),
            (40, 116, "Musterstr. 11", 10),
            (40, 129, "12346 Bad Musterhausen", 10),
            (40, 200, "Beitragsrechnung 24. Januar 2014", 12),
            *ITEMS,
        ],
    )
    assert invoice.vendor_name.value == "Hanseatische Feuerkasse Versicherungsverein Hamburg a.G."


def test_a_name_cut_at_the_line_end_on_the_right_in_french(tmp_path: Path) -> None:
    invoice = _draw(
        tmp_path / "fr_mutuelle.pdf",
        [
            (330, 40, "Mutuelle Générale des", 11),
            (330, 53, "Artisans Lyonnais SA", 11),
            (330, 66, "12 quai Saint-Vincent", 9),
            (330, 78, "69001 Lyon", 9),
            (40, 200, "Facture N° 2026-77", 12),
            *ITEMS,
        ],
    )
    assert invoice.vendor_name.value == "Mutuelle Générale des Artisans Lyonnais SA"


def test_a_company_in_an_address_opened_by_a_salutation_is_the_recipient(tmp_path: Path) -> None:
    invoice = _draw(
        tmp_path / "fr_window.pdf",
        [
            (40, 60, "Date de facture : 02/11/2019", 9),
            (40, 74, "N° de facture : 11608848301659", 9),
            (40, 88, "Remise à Zéro", 10),
            (120, 88, ": 01/12/2019", 10),
            (300, 100, "M DE LATTRE ALEXIS", 10),
            (300, 113, "ALEXINUX SARL", 10),
            (300, 126, "35 B RUE MONTGOLFIER", 10),
            (300, 139, "69100 VILLEURBANNE", 10),
            (40, 200, "Bonjour, voici votre facture du 2 novembre 2019 :", 10),
            *ITEMS,
        ],
    )
    assert invoice.vendor_name.value != "ALEXINUX SARL"
    assert "ALEXINUX" not in (invoice.vendor_name.value or "")
    assert invoice.vendor_name.value != "Remise à Zéro"  # a label before its ": value"


def test_a_company_under_herrn_in_the_left_window_is_the_recipient(tmp_path: Path) -> None:
    invoice = _draw(
        tmp_path / "de_window.pdf",
        [
            (330, 40, "Rechnung", 14),
            (330, 60, "Rechnungsnummer 4711", 9),
            (40, 110, "Frau", 10),
            (40, 123, "Erika Beispiel", 10),
            (40, 136, "Beispiel Handels GmbH", 10),
            (40, 149, "Lindenweg 4", 10),
            (40, 162, "80331 München", 10),
            *ITEMS,
        ],
    )
    assert invoice.vendor_name.value != "Beispiel Handels GmbH"


def test_a_bare_caption_with_the_name_further_right_on_its_line_names_the_buyer(tmp_path: Path) -> None:
    invoice = _draw(
        tmp_path / "en_to.pdf",
        [
            (40, 40, "Tax Invoice", 14),
            (40, 60, "Envato", 12),
            (40, 76, "ABN: 11 119 159 741", 9),
            (40, 140, "To:", 10),
            (80, 140, "iViveLabs Ltd", 10),
            (350, 140, "Invoice No. 12429647", 10),
            *ITEMS,
        ],
    )
    assert invoice.vendor_name.value != "iViveLabs Ltd"
    assert invoice.vendor_tax_id.value == "11119159741"
    assert invoice.vendor_tax_id.confidence < 0.9  # an ABN is read by its label, the role inferred


def test_a_bare_german_recipient_caption_with_the_name_on_its_line(tmp_path: Path) -> None:
    invoice = _draw(
        tmp_path / "de_kunde.pdf",
        [
            (330, 40, "Werkstatt Lenz", 12),
            (330, 56, "Bachgasse 2, 79098 Freiburg", 9),
            (40, 140, "Empfänger:", 10),
            (120, 140, "Muster Bau AG", 10),
            (40, 200, "Rechnung Nr. 88", 12),
            *ITEMS,
        ],
    )
    assert invoice.vendor_name.value != "Muster Bau AG"


def test_datos_del_cliente_is_the_buyers_block_for_a_self_employed_seller(tmp_path: Path) -> None:
    invoice = _draw(
        tmp_path / "es_autonomo.pdf",
        [
            (330, 30, "FACTURA", 14),
            (40, 50, "Laura Ortega Ruiz - Diseño Gráfico", 11),
            (40, 64, "NIF-IVA: ESB73416315", 9),
            (40, 76, "46002 Valencia", 9),
            (40, 120, "Datos del cliente", 9),
            (40, 134, "Inmobiliaria Castro S.A.", 10),
            (40, 148, "CIF: ESB38523569", 9),
            (40, 162, "28001 Madrid", 9),
            *ITEMS,
        ],
    )
    assert invoice.vendor_name.value == "Laura Ortega Ruiz - Diseño Gráfico"
    assert invoice.vendor_tax_id.value == "ESB73416315"


def test_dati_del_cliente_in_italian(tmp_path: Path) -> None:
    invoice = _draw(
        tmp_path / "it_cliente.pdf",
        [
            (40, 50, "Marco Bianchi - Fotografia", 11),
            (40, 64, "P.IVA IT00743110157", 9),
            (330, 120, "Dati del cliente", 9),
            (330, 134, "Edilizia Ferri S.r.l.", 10),
            (330, 148, "P.IVA IT01234567897", 9),
            (40, 200, "Fattura n. 12/2026", 12),
            *ITEMS,
        ],
    )
    assert invoice.vendor_name.value != "Edilizia Ferri S.r.l."
    assert invoice.vendor_tax_id.value == "IT00743110157"


def test_a_footer_column_heading_is_not_the_name_and_a_glued_iban_is_split(tmp_path: Path) -> None:
    invoice = _draw(
        tmp_path / "en_sweden.pdf",
        [
            (40, 40, "Gotland Design Studio AB", 16),
            (400, 40, "INVOICE", 14),
            (330, 60, "Invoice no. 45591", 9),
            *ITEMS,
            (40, 740, "Address", 8),
            (150, 740, "Company", 8),
            (330, 740, "Payment", 8),
            (40, 752, "Kungsvägen 4", 8),
            (150, 752, "Reg. no. 551554-1844", 8),
            (330, 752, "Bankgiro 222-6090", 8),
            (150, 764, "VAT reg. no. SE551554184401IBAN SE19 5008 4295 4069 2059 1196", 8),
        ],
    )
    assert invoice.vendor_name.value == "Gotland Design Studio AB"
    assert invoice.iban.value == "SE1950084295406920591196"


def test_a_norwegian_as_in_the_footer_and_a_heading_that_is_not_a_name(tmp_path: Path) -> None:
    invoice = _draw(
        tmp_path / "no_as.pdf",
        [
            (400, 40, "FAKTURA", 14),
            (40, 60, "Fjordtre Snekkeri AS", 14),
            (330, 80, "Fakturanr. 3321", 9),
            *ITEMS,
            (40, 740, "Firma", 8),
            (40, 752, "Org.nr. 912 345 678 MVA", 8),
        ],
    )
    assert invoice.vendor_name.value == "Fjordtre Snekkeri AS"
    assert invoice.vendor_name.confidence >= 0.9  # "AS" is a legal form, "Firma" only a heading


def test_labels_sentences_and_notes_are_never_names(tmp_path: Path) -> None:
    invoice = _draw(
        tmp_path / "labels.pdf",
        [
            (40, 30, "(Not to be used for payment remittance)", 12),
            (40, 50, "Reference:", 12),
            (
                40,
                70,
                "regarding your bill, individual service charge details, and your account history are "
                "available on the Account Activity Page.",
                8,
            ),
            (40, 90, "# invoice_number_1", 12),
            (40, 120, "Invoice Number: 42183017", 10),
            *ITEMS,
            (40, 760, "Amazon Web Services, Inc. · 410 Terry Ave North · Seattle, WA 98109", 7),
        ],
    )
    assert invoice.vendor_name.value == "Amazon Web Services, Inc."


def test_an_indian_tin_and_a_misprinted_french_vat_id_are_read_as_printed_and_held(tmp_path: Path) -> None:
    indian = _draw(
        tmp_path / "in_tin.pdf",
        [
            (40, 40, "Sold By : WS Retail Services Pvt. Ltd.,", 10),
            (40, 60, "VAT/TIN: 29670869006", 9),
            (40, 80, "Invoice No : BLR_1", 9),
            *ITEMS,
        ],
    )
    assert indian.vendor_name.value == "WS Retail Services Pvt. Ltd."
    assert indian.vendor_tax_id.value == "29670869006"
    assert indian.vendor_tax_id.confidence < 0.9
    assert any("read as printed" in warning for warning in indian.warnings)
    french = _draw(
        tmp_path / "fr_misprint.pdf",
        [
            (40, 40, "NETPRESSE", 14),
            (40, 200, "Facture n° 2022089083", 12),
            *ITEMS,
            (40, 780, "Sarl au capital de 10 000€ – Siret 53084813400017 – TVA F63530848134", 7),
        ],
    )
    assert french.vendor_tax_id.value == "F63530848134"
    assert french.vendor_tax_id.confidence < 0.9


def test_abn_check_digits_tell_an_abn_from_any_eleven_digits() -> None:
    from agents.ap.extract.printed_tax_ids import checked

    assert checked("11119159741")  # ABN check digits
    assert not checked("11119159742")


def test_an_order_id_and_a_mistyped_iban_are_neither_iban_nor_vat_id() -> None:
    assert find_ibans("Order ID: OD304175096047380001") == []  # no IBAN country "OD"
    assert find_vat_ids("IBAN DE75 1234 5678 0000 0012 34") == []  # a German IBAN failing mod 97
    assert [v for v, _, _ in find_vat_ids("USt-IdNr. DE811569869 12345 Berlin")] == ["DE811569869"]


def test_two_company_blocks_with_registers_keep_the_name_below_auto_post(tmp_path: Path) -> None:
    invoice = _draw(
        tmp_path / "fr_two.pdf",
        [
            (40, 40, "LE FOURNISSEUR", 10),
            (40, 52, "35 rue d'ici", 9),
            (40, 64, "SIREN : 123 456 782", 9),
            (40, 76, "N° TVA intra : FR 11 123 456 782", 9),
            (330, 40, "FACTURE N° : F20260023", 10),
            *ITEMS,
            (100, 780, "FOURNISSEUR F SARL au capital de 50 000 EUR - RCS MAVILLE 123 456 782", 7),
        ],
    )
    assert invoice.vendor_name.confidence < 0.9


def test_ids_under_vos_identifiants_and_a_tax_representative_are_not_the_sellers(tmp_path: Path) -> None:
    invoice = _draw(
        tmp_path / "fr_blocks.pdf",
        [
            (86, 40, "LE FOURNISSEUR", 9),
            (86, 52, "75018 PARIS, FR", 8),
            (86, 64, "N° TVA intra : FR 11 123 456 782", 8),
            (86, 84, "Représentant Fiscal", 8),
            (93, 96, "SELLER TAX REP", 8),
            (93, 108, "N° TVA Intra : FR 05 987 654 321", 8),
            (297, 130, "Vos identifiants", 8),
            (304, 142, "SIREN : 987 654 321", 8),
            (304, 154, "N° TVA : FR 05 987 654 321", 8),
            (300, 30, "FACTURE N° : F20260023", 10),
            *ITEMS,
        ],
    )
    assert invoice.vendor_tax_id.value == "FR11123456782"


def test_ids_under_your_details_in_english(tmp_path: Path) -> None:
    invoice = _draw(
        tmp_path / "en_blocks.pdf",
        [
            (40, 40, "Your details", 9),
            (46, 54, "Account 10023", 9),
            (46, 68, "VAT: IE6388047V", 9),
            (330, 40, "Invoice No. 9921", 10),
            *ITEMS,
            (40, 760, "Harbour Tools · Unit 4, Dock Road, Cork", 8),
            (40, 772, "VAT: IE9S99999L", 8),
        ],
    )
    assert invoice.vendor_tax_id.value == "IE9S99999L"
