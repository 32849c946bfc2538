"""Party captions and buyer wording: which block and which id are the seller's."""

from __future__ import annotations

import pytest

from agents.ap.extract.identifiers import find_vat_ids
from agents.ap.extract.party_blocks import BUYER, SELLER, caption_role


@pytest.mark.parametrize(
    ("text", "role", "rest"),
    [
        ("Cedente/prestatore (fornitore)", SELLER, ""),
        ("Cessionario/committente (cliente)", BUYER, ""),
        ("EMISOR", SELLER, ""),
        ("Facturar a:", BUYER, ""),
        ("Rechnungsempfänger", BUYER, ""),
        ("Leistungsempfänger:", BUYER, ""),
        ("Rechnungssteller: Nordlicht GmbH", SELLER, "Nordlicht GmbH"),
        ("Sold by: Riverside Gadgets Ltd", SELLER, "Riverside Gadgets Ltd"),
        ("Remit to", SELLER, ""),
        ("Fournisseur :", SELLER, ""),
        ("Facturé à", BUYER, ""),
        ("Leverancier", SELLER, ""),
        ("Factuur aan", BUYER, ""),
        ("Spett.le", BUYER, ""),
        ("Mittente", SELLER, ""),
    ],
)
def test_party_captions_in_six_languages(text: str, role: str, rest: str) -> None:
    assert caption_role(text) == (role, rest)


@pytest.mark.parametrize(
    "text",
    [
        "Facture à régler par virement sur le compte suivant",
        "Customer service hours 9-17",
        "Fromage blanc 500 g",
    ],
)
def test_sentences_starting_with_a_party_word_are_not_captions(text: str) -> None:
    assert caption_role(text) is None


def test_a_vat_id_is_never_read_inside_an_iban() -> None:
    assert find_vat_ids("Pay to DE89 3704 0044 0532 0130 00 please") == []
    assert [v for v, _, _ in find_vat_ids("USt-IdNr. DE811569869 · IBAN DE89 3704 0044 0532 0130 00")] == [
        "DE811569869"
    ]
