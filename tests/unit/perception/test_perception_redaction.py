from __future__ import annotations

import pytest

from agents.perception.redaction import RedactionSettings, Redactor, iban_valid, luhn_valid


def test_emails_and_phones_are_replaced() -> None:
    result = Redactor().redact("Mail me at jane.doe@example.com or call +44 20 7946 0958 / (415) 555-2671.")
    assert "jane.doe" not in result.text and "7946" not in result.text and "555-2671" not in result.text
    assert result.counts == {"EMAIL": 1, "PHONE": 2}


def test_only_luhn_valid_card_numbers_are_redacted() -> None:
    assert luhn_valid("4111111111111111")
    assert not luhn_valid("4111111111111112")
    result = Redactor().redact("card 4111 1111 1111 1111 and ref 4111 1111 1111 1112")
    assert "[CARD]" in result.text
    assert "4111 1111 1111 1112" in result.text
    assert result.counts == {"CARD": 1}


def test_only_checksum_valid_ibans_are_redacted() -> None:
    assert iban_valid("GB82 WEST 1234 5698 7654 32")
    assert not iban_valid("GB83 WEST 1234 5698 7654 32")
    result = Redactor().redact("Refund to DE89 3704 0044 0532 0130 00 please, not GB83WEST12345698765432")
    assert "[IBAN]" in result.text and "DE89" not in result.text
    assert "GB83WEST12345698765432" in result.text


def test_order_and_invoice_numbers_survive() -> None:
    text = "Order ORD-102934 and 100-2938471, invoice INV-2024-0113, PO 4500098761"
    assert Redactor().redact(text).text == text


def test_each_kind_can_be_switched_off() -> None:
    text = "jane@example.com 4111111111111111"
    result = Redactor(RedactionSettings(emails=False)).redact(text)
    assert "jane@example.com" in result.text and "[CARD]" in result.text


@pytest.mark.parametrize("number", ["5555555555554444", "378282246310005", "6011 1111 1111 1117"])
def test_common_test_card_numbers(number: str) -> None:
    assert Redactor().redact(f"paid with {number} yesterday").text == "paid with [CARD] yesterday"
