"""PII redaction applied to every text before it leaves the process for an LLM provider.

Card numbers are redacted only when they pass the Luhn check and IBANs only when they pass the
ISO 13616 mod-97 check, so order numbers and invoice ids (which the classifier needs) survive.
Each kind can be switched off; placeholders keep the kind (``[EMAIL]``) so the model still knows
that, say, an e-mail address was given.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

_EMAIL = re.compile(r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b")
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,3})?\b")
_CARD = re.compile(r"(?<!\d)(?:\d[ -]?){12,18}\d(?!\d)")
_PHONE = re.compile(
    r"(?<![\w+])(?:\+\d{1,3}[ .-]?(?:\(\d{1,4}\)[ .-]?)?\d{1,4}(?:[ .-]?\d{2,4}){2,4}"
    r"|\(\d{3}\)[ .-]?\d{3}[ .-]?\d{4}"
    r"|\d{3}[ .-]\d{3}[ .-]\d{4}"
    r"|0\d{2,4}[ ]\d{3,4}[ ]?\d{3,4})(?!\w)"
)


def luhn_valid(digits: str) -> bool:
    """The Luhn checksum used by payment card numbers."""
    total = 0
    for i, char in enumerate(reversed(digits)):
        value = int(char)
        if i % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def iban_valid(candidate: str) -> bool:
    """ISO 13616: move the first four characters to the end, letters to numbers, mod 97 == 1."""
    compact = candidate.replace(" ", "").upper()
    if not 15 <= len(compact) <= 34:
        return False
    rearranged = compact[4:] + compact[:4]
    numeric = "".join(str(int(ch, 36)) for ch in rearranged)
    return int(numeric) % 97 == 1


@dataclass(frozen=True)
class RedactionSettings:
    """Which kinds of personal data to replace before an LLM call."""

    emails: bool = True
    phones: bool = True
    ibans: bool = True
    cards: bool = True


@dataclass(frozen=True)
class RedactedText:
    text: str
    counts: dict[str, int] = field(default_factory=dict)
    """How many of each kind were replaced."""


class Redactor:
    """Replaces e-mails, phone numbers, IBANs and card numbers with typed placeholders."""

    def __init__(self, settings: RedactionSettings | None = None) -> None:
        self.settings = settings or RedactionSettings()

    def redact(self, text: str) -> RedactedText:
        counts: Counter[str] = Counter()
        s = self.settings

        def checked(kind: str, valid: bool, original: str) -> str:
            if valid:
                counts[kind] += 1
                return f"[{kind}]"
            return original

        if s.ibans:
            text = _IBAN.sub(lambda m: checked("IBAN", iban_valid(m.group(0)), m.group(0)), text)
        if s.cards:
            text = _CARD.sub(
                lambda m: checked("CARD", luhn_valid(re.sub(r"\D", "", m.group(0))), m.group(0)), text
            )
        if s.emails:
            text = _EMAIL.sub(lambda m: checked("EMAIL", True, m.group(0)), text)
        if s.phones:
            text = _PHONE.sub(lambda m: checked("PHONE", True, m.group(0)), text)
        return RedactedText(text, dict(counts))
