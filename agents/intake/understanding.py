"""What a message says: intent (offline classifier with out-of-scope), entities, language, cues.

The classifier is the Perception `OfflineTextClassifier`, trained on the labelled history named
in the intake configuration (a company retrains it on its own cases by pointing there). Training
takes about a second, so one model per training file is kept for the process.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, TypeVar

from agents.intake.config import EscalationSpec, IntakeConfig
from agents.perception.entities import IdPattern, find_emails
from agents.perception.language import detect_language as guess_language
from agents.perception.results import Prediction
from agents.perception.trained import classifier_for as classifier_for  # re-exported for benchmarks
from agents.perception.trained import current_classifier

if TYPE_CHECKING:  # scikit-learn loads when the first model is trained, not at import
    pass


REGISTRY_AGENT = "customer_intake"
"""Intake's name in the model registry: the agent name its ledger records carry, so a label
corrected on one of its transactions in the console lands in the same registry folder."""

ORDER = IdPattern(r"\b(SO-\d{4,8})\b")
INVOICE = IdPattern(r"\b(INV-\d{4,8})\b")
ACCOUNT = IdPattern(r"\b(CUST-\d{3,8})\b")
_AMOUNT = re.compile(
    r"(?:(?P<cur1>€|EUR|\$|USD|£|GBP)\s?(?P<num1>\d{1,6}(?:[.,]\d{1,2})?))|(?:(?P<num2>\d{1,6}(?:[.,]\d{1,2})?)\s?(?P<cur2>€|EUR|euros?|USD|GBP))",
    re.IGNORECASE,
)
_CURRENCY = {
    "€": "EUR",
    "eur": "EUR",
    "euro": "EUR",
    "euros": "EUR",
    "$": "USD",
    "usd": "USD",
    "£": "GBP",
    "gbp": "GBP",
}
_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_ADDRESS = re.compile(
    r"\b(\d{1,5}[a-z]? [A-Z][\w'-]*(?: [A-Z][\w'-]*)* (?:Street|St|Road|Rd|Avenue|Ave|Close|Drive|Lane|Way|Allee|Strasse|Straße|Place|Square))\b"
    r"(?:,\s*(?P<postcode>[A-Z0-9]{2,5}(?: ?[A-Z0-9]{3})?)\s+(?P<city>[A-Z][\w-]+))?"
)


@dataclass(frozen=True)
class Money:
    amount: Decimal
    currency: str


@dataclass(frozen=True)
class PostalAddress:
    street: str
    postal_code: str | None
    city: str | None


T = TypeVar("T")


def _join(older: tuple[T, ...], newer: tuple[T, ...]) -> tuple[T, ...]:
    return tuple(dict.fromkeys(newer + older))


@dataclass(frozen=True)
class Entities:
    """Everything found in the text; lists keep every candidate so ambiguity stays visible."""

    order_numbers: tuple[str, ...] = ()
    invoice_numbers: tuple[str, ...] = ()
    account_numbers: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    amounts: tuple[Money, ...] = ()
    dates: tuple[date, ...] = ()
    addresses: tuple[PostalAddress, ...] = ()

    def merged(self, newer: Entities) -> Entities:
        """This message's entities on top of an earlier turn's (newer values first)."""

        return Entities(
            order_numbers=_join(self.order_numbers, newer.order_numbers),
            invoice_numbers=_join(self.invoice_numbers, newer.invoice_numbers),
            account_numbers=_join(self.account_numbers, newer.account_numbers),
            emails=_join(self.emails, newer.emails),
            amounts=_join(self.amounts, newer.amounts),
            dates=_join(self.dates, newer.dates),
            addresses=_join(self.addresses, newer.addresses),
        )

    def as_json(self) -> dict[str, list[str]]:
        def show(value: object) -> str:
            if isinstance(value, Money):
                return f"{value.amount} {value.currency}"
            if isinstance(value, PostalAddress):
                return ", ".join(p for p in (value.street, value.postal_code, value.city) if p)
            return str(value)

        return {
            name: [show(v) for v in getattr(self, name)]
            for name in self.__dataclass_fields__
            if getattr(self, name)
        }


@dataclass(frozen=True)
class Cues:
    """Signals that decide escalation; each names the words that triggered it."""

    legal: tuple[str, ...] = ()
    regulatory: tuple[str, ...] = ()
    churn: tuple[str, ...] = ()
    chargeback: tuple[str, ...] = ()
    wants_human: tuple[str, ...] = ()
    injection: tuple[str, ...] = ()
    negative: tuple[str, ...] = ()
    urgent: tuple[str, ...] = ()
    sentiment: float = 0.0
    """-1 (strongly negative) .. 0; from the count of negative words."""


@dataclass(frozen=True)
class Understanding:
    prediction: Prediction
    entities: Entities
    language: str
    cues: Cues
    evidence: tuple[str, ...] = field(default=())

    @property
    def intent(self) -> str:
        return self.prediction.label


def find_entities(text: str) -> Entities:
    amounts = []
    for match in _AMOUNT.finditer(text):
        number = (match.group("num1") or match.group("num2") or "").replace(",", ".")
        symbol = (match.group("cur1") or match.group("cur2") or "").lower()
        try:
            amounts.append(Money(Decimal(number), _CURRENCY.get(symbol, "EUR")))
        except InvalidOperation:
            continue
    dates = []
    for match in _DATE.finditer(text):
        try:
            dates.append(date(int(match.group(1)), int(match.group(2)), int(match.group(3))))
        except ValueError:
            continue
    addresses = tuple(
        PostalAddress(m.group(1), m.group("postcode"), m.group("city")) for m in _ADDRESS.finditer(text)
    )
    return Entities(
        order_numbers=tuple(dict.fromkeys(c.value for c in ORDER.find(text))),
        invoice_numbers=tuple(dict.fromkeys(c.value for c in INVOICE.find(text))),
        account_numbers=tuple(dict.fromkeys(c.value for c in ACCOUNT.find(text))),
        emails=tuple(dict.fromkeys(c.value for c in find_emails(text))),
        amounts=tuple(dict.fromkeys(amounts)),
        dates=tuple(dict.fromkeys(dates)),
        addresses=addresses,
    )


def detect_language(text: str) -> str:
    """The message's language (ISO 639-1) when the detector is sure of it, else ``und``.

    `agents.perception.language` (langdetect, seeded): every language the detector knows, so an
    Italian or Dutch message is recognised as such (and escalated, since the intent model reads
    English), while a short or ambiguous English text stays ``und`` and is worked.
    """
    guess = guess_language(text)
    return guess.code if guess.reliable else "und"


def find_cues(text: str, spec: EscalationSpec) -> Cues:
    def hits(patterns: tuple[str, ...]) -> tuple[str, ...]:
        found = []
        for pattern in patterns:
            match = re.search(pattern, text, flags=re.IGNORECASE)
            if match:
                found.append(match.group(0))
        return tuple(found)

    lowered = text.lower()
    negative = tuple(w for w in spec.negative_words if re.search(rf"\b{re.escape(w)}\b", lowered))
    shouting = len(re.findall(r"\b[A-Z]{4,}\b", text)) >= 3 or text.count("!") >= 3
    score = min(1.0, (len(negative) + (1 if shouting else 0)) / max(1, spec.negative_words_threshold))
    return Cues(
        legal=hits(spec.legal_patterns),
        regulatory=hits(spec.regulatory_patterns),
        churn=hits(spec.churn_patterns),
        chargeback=hits(spec.chargeback_patterns),
        wants_human=hits(spec.human_patterns),
        injection=hits(spec.injection_patterns),
        negative=negative + (("shouting",) if shouting else ()),
        urgent=tuple(w for w in spec.urgent_words if w in lowered),
        sentiment=-score,
    )


def understand(text: str, config: IntakeConfig) -> Understanding:
    """The intent (the registry's promoted model when `config.models` holds one), entities,
    language and escalation cues of `text`."""
    model = current_classifier(config.training_data, config.models, REGISTRY_AGENT)
    prediction = model.predict(text[:4000] if text.strip() else "(empty message)")
    return Understanding(
        prediction=prediction,
        entities=find_entities(text),
        language=detect_language(text),
        cues=find_cues(text, config.escalation),
        evidence=tuple(e.text for e in prediction.evidence),
    )
