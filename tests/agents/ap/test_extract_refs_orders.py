"""Purchase-order numbers by the role of their label: the buyer's order beats the buyer's reference,
the seller's own numbers never count, and orders named in sentences, table columns and caption grids
whose cells run together are read (each case in several languages and wordings)."""

from __future__ import annotations

from pathlib import Path

import pytest
from ap_drawn_pages import draw_pages

from agents.ap.extract.page_reader import read_page_invoice
from agents.ap.extract.reference_roles import reference_role

Row = tuple[float, float, str, float, bool]
HEAD: list[Row] = [
    (40, 40, "Werkstatt Lindenhof GmbH", 16, True),
    (300, 120, "Rechnung / Invoice RX-7781", 11, True),
]


def _render(path: Path, rows: list[Row]) -> Path:
    return draw_pages(path, HEAD + rows)


def _block(pairs: list[tuple[str, str]], x: float = 330, top: float = 160) -> list[Row]:
    rows: list[Row] = []
    for index, (label, value) in enumerate(pairs):
        rows += [(x, top + 12 * index, label, 8, False), (x + 110, top + 12 * index, value, 8, False)]
    return rows


@pytest.mark.parametrize(
    ("label", "role"),
    [("your ref.", "buyer_reference"), ("ihr zeichen", "buyer_reference"), ("uw kenmerk", "buyer_reference"),
     ("reference", "buyer_reference"), ("vs. rif.", "buyer_reference"), ("ihre bestellung", "po_number"),
     ("p.o. #", "po_number"), ("votre commande n°", "po_number"), ("su pedido", "po_number"),
     ("n° d'engagement", "po_number"), ("dati ordine di acquisto", "po_number")],
)  # fmt: skip
def test_the_label_words_decide_the_role(label: str, role: str) -> None:
    assert reference_role(label) == role


@pytest.mark.parametrize(
    "pairs",
    [
        [("Ihr Zeichen:", "KL-2"), ("Ihre Bestellung:", "B-44120"), ("Unser Zeichen:", "mk-9")],
        [("Your ref.:", "JS"), ("Our ref.:", "AB-77"), ("Purchase order:", "B-44120")],
        [("Uw kenmerk:", "inkoop"), ("Onze referentie:", "V-19"), ("Uw ordernummer:", "B-44120")],
        [("Vs. rif.:", "MR-1"), ("Ns. rif.:", "Z-3"), ("Vs. ordine n.:", "B-44120")],
        [("Auftragsbestätigung:", "AB-5512"), ("Lieferschein-Nr.:", "LS-9981"), ("Ihr Auftrag:", "B-44120")],
    ],
)
def test_the_buyers_order_wins_over_references_and_the_sellers_numbers(
    tmp_path: Path, pairs: list[tuple[str, str]]
) -> None:
    invoice, _ = read_page_invoice(_render(tmp_path / "din.pdf", _block(pairs)))
    assert invoice.po_number.value == "B-44120"


@pytest.mark.parametrize(
    ("label", "value"), [("Your ref.:", "K-20931"), ("Ihr Zeichen:", "EK/2026/4"), ("Reference", "7781-B")]
)
def test_a_buyers_reference_alone_is_read_below_auto_post(tmp_path: Path, label: str, value: str) -> None:
    invoice, _ = read_page_invoice(_render(tmp_path / "ref.pdf", _block([(label, value)])))
    assert invoice.po_number.value == value and invoice.po_number.confidence < 0.9


def test_a_reference_that_says_it_is_an_order_keeps_its_confidence(tmp_path: Path) -> None:
    invoice, _ = read_page_invoice(
        _render(tmp_path / "ref.pdf", _block([("Your reference:", "PO-2026-118")]))
    )
    assert invoice.po_number.value == "PO-2026-118" and invoice.po_number.confidence >= 0.88


def test_a_payment_reference_equal_to_the_invoice_number_is_not_the_order(tmp_path: Path) -> None:
    rows = _block([("Invoice number", "RX-7781")]) + _block(
        [("IBAN", "DE89 3704 0044 0532 0130 00"), ("Reference", "RX-7781")], 40, 400
    )
    invoice, _ = read_page_invoice(_render(tmp_path / "pay.pdf", rows))
    assert invoice.invoice_number.value == "RX-7781" and invoice.po_number.value is None


@pytest.mark.parametrize(
    "sentence",
    ["We invoice as per your order no. B-44120 of 3 March 2026:", "Gemäß Ihrer Bestellung Nr. B-44120 berechnen wir:",
     "Suite à votre commande n° B-44120, nous facturons :", "Come da Vs. ordine n. B-44120 vi addebitiamo:",
     "Según su pedido B-44120 le facturamos:", "Volgens uw bestelling B-44120 factureren wij:"],
)  # fmt: skip
def test_an_order_named_in_a_sentence(tmp_path: Path, sentence: str) -> None:
    invoice, _ = read_page_invoice(_render(tmp_path / "s.pdf", [(40, 200, sentence, 9, False)]))
    assert invoice.po_number.value == "B-44120" and invoice.po_number.confidence < 0.9


@pytest.mark.parametrize(
    ("caption", "values"),
    [("Order no.", ["B-44120"] * 3), ("Bestellung", ["B-44120"] * 2), ("PO", ["B-1", "B-2"])],
)
def test_an_order_column_of_the_line_table(tmp_path: Path, caption: str, values: list[str]) -> None:
    rows: list[Row] = [
        (x, 250, text, 8, True)
        for x, text in [(40, "Description"), (220, caption), (320, "Qty"), (400, "Price"), (490, "Amount")]
    ]
    for index, value in enumerate(values):
        top = 264 + 12 * index
        rows += [
            (x, top, text, 8, False)
            for x, text in [(40, "Service"), (220, value), (320, "1"), (400, "10.00"), (490, "10.00")]
        ]
    invoice, _ = read_page_invoice(_render(tmp_path / "col.pdf", rows))
    assert invoice.po_number.value == (values[0] if len(set(values)) == 1 else None)


def test_a_caption_grid_whose_cells_run_together_is_read_by_column(tmp_path: Path) -> None:
    """ "Datum Bestellnummer" printed as one phrase over "03.03.2026 B-44120": the value row's cells decide."""
    rows: list[Row] = [(40, 300, "Zahlungsart", 8, False), (150, 300, "Datum", 8, False), (176, 300, "Bestellnummer", 8, False),
                       (300, 300, "Betrag", 8, False), (40, 312, "Überweisung", 8, False), (150, 312, "03.03.", 8, False),
                       (176, 312, "B-44120", 8, False), (300, 312, "10,00", 8, False)]  # fmt: skip
    invoice, _ = read_page_invoice(_render(tmp_path / "grid.pdf", rows))
    assert invoice.po_number.value == "B-44120"


@pytest.mark.parametrize(
    "label", ["Bestellnummer des Kunden", "Ihre Bestellnummer lt. Auftrag", "Order no. from customer"]
)
def test_a_label_run_into_its_value_keeps_the_label_word_out(tmp_path: Path, label: str) -> None:
    """The label overflows its cell and the text layer glues it to the value ("…Kunden4518477852")."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    x = 330 + stringWidth(label, "Helvetica", 8)
    invoice, _ = read_page_invoice(
        _render(tmp_path / "glued.pdf", [(330, 160, label, 8, False), (x, 160, "4518477852", 8, False)])
    )
    assert invoice.po_number.value == "4518477852"


def test_a_value_above_that_belongs_to_a_caption_row_does_not_cast_doubt(tmp_path: Path) -> None:
    """A grid's value row sits right above the next caption: it is the row above's, not this label's."""
    rows: list[Row] = [(40, 200, "Tipologia documento", 8, False), (160, 200, "Numero documento", 8, False),
                       (280, 200, "Data documento", 8, False), (40, 212, "TD01 fattura", 8, False),
                       (160, 212, "RX-7781", 8, False), (280, 212, "2026-03-03", 8, False),
                       (40, 226, "Dati ordine d'acquisto", 8, False), (40, 238, "PO2026-0417", 8, False)]  # fmt: skip
    invoice, _ = read_page_invoice(_render(tmp_path / "fpa.pdf", rows))
    assert invoice.po_number.value == "PO2026-0417" and invoice.po_number.confidence >= 0.8


@pytest.mark.parametrize(
    ("text", "field"),
    [("PO:", "po_number"), ("PO", "po_number"), ("PO-Nr.", "po_number"), ("Bestelnr.", "po_number"),
     ("Dati ordine di acquisto", "po_number"), ("N° d'engagement juridique", "po_number"), ("Date due", "due_date"),
     ("Fällig:", "due_date"), ("Remboursement avant le", "due_date"), ("Vencimientos", "due_date"),
     ("Unser Auftrag", "our_reference"), ("Auftragsbestätigung Nr.", "our_reference"), ("Sales order no.", "our_reference"),
     ("Nuestro pedido", "our_reference"), ("Ns. ordine", "our_reference"), ("DDT n.", "our_reference"),
     ("Bon de livraison", "our_reference"), ("PO Box 112", None)],
)  # fmt: skip
def test_reference_and_due_vocabulary(text: str, field: str | None) -> None:
    from agents.ap.extract.vocabulary import HEADER_PATTERNS, fold, match_label

    matched = match_label(fold(text), HEADER_PATTERNS)
    assert (matched[0] if matched else None) == field
