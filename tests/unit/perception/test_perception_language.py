"""Language detection: German, French and Spanish are told apart from English; short text is `und`."""

from __future__ import annotations

import pytest

from agents.perception.language import UNDETERMINED, detect_language


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Guten Tag, die Rechnung 4711 ist noch offen, bitte um Rückruf bis Freitag.", "de"),
        ("Mein Passwort funktioniert seit heute Morgen nicht mehr", "de"),
        ("Bonjour, je n'arrive pas à me connecter depuis ce matin.", "fr"),
        ("Hola, necesito cambiar la dirección de entrega de mi pedido.", "es"),
        ("laptop screen flickering and the fan is very loud", "en"),
    ],
)
def test_detects_the_language_of_a_sentence(text: str, code: str) -> None:
    guess = detect_language(text)
    assert (guess.code, guess.reliable, guess.supported) == (code, True, True)
    assert guess.probability >= 0.8


def test_short_text_and_codes_are_undetermined_not_refused() -> None:
    for text in (
        "vpn down",
        "INC-4711 2024-03-01 12,50",
        "ok",
        "",
        "Please cancel SO-100001",  # langdetect alone says Spanish, p=1.0
        "Refund 90 EUR for SO-100001",  # ... and this Danish
        "Re: Question\n45 EUR",  # ... and this French
    ):
        guess = detect_language(text)
        assert (guess.code, guess.reliable) == (UNDETERMINED, False)
        assert guess.supported  # callers use their default language


def test_unsupported_language_is_reported_as_such() -> None:
    guess = detect_language("Buongiorno, la fattura non è ancora stata pagata, potete controllare?")
    assert guess.code == "it" and guess.reliable and not guess.supported


def test_same_text_same_answer() -> None:
    text = "Das Laptop startet nicht mehr nach dem Update"
    assert {detect_language(text) for _ in range(5)} == {detect_language(text)}
