"""What a ticket says: its category (Perception classifier) and the cues that make the agent stop.

The classifier is the offline `OfflineTextClassifier`, trained on the desk's own labelled
history named in the configuration (a company retrains it by pointing there); one model per
training file is kept for the process. Cues are the configuration's case-insensitive patterns;
they only ever *stop* the agent -- nothing in the ticket text can widen what it may do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from agents.perception.results import Prediction
from agents.perception.trained import current_classifier
from agents.service_desk.config import Category, Cues, ServiceDeskConfig

if TYPE_CHECKING:  # scikit-learn loads when the first model is trained, not at import
    from agents.perception.offline import OfflineTextClassifier

_MAX_TEXT = 4000
AGENT_NAME = "service_desk"
"""The agent's name in the model registry (`opspack models ... service_desk`)."""
UNCLEAR = "unclear"
"""A ticket part the classifier places in no category with confidence."""


@dataclass(frozen=True)
class Signals:
    """Cue words found in the ticket, per kind (the matched text, for the case file)."""

    injection: tuple[str, ...] = ()
    identity_claim: tuple[str, ...] = ()
    credential_channel: tuple[str, ...] = ()
    pressure: tuple[str, ...] = ()
    third_party: tuple[str, ...] = ()
    change_request: tuple[str, ...] = ()

    def as_json(self) -> dict[str, list[str]]:
        return {name: list(getattr(self, name)) for name in self.__dataclass_fields__ if getattr(self, name)}


@lru_cache(maxsize=64)
def _compiled(patterns: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p, re.IGNORECASE) for p in patterns)


def find_signals(text: str, cues: Cues) -> Signals:
    def hits(patterns: tuple[str, ...]) -> tuple[str, ...]:
        found = [m.group(0) for pattern in _compiled(patterns) if (m := pattern.search(text))]
        return tuple(dict.fromkeys(found))

    return Signals(**{name: hits(getattr(cues, name)) for name in Signals.__dataclass_fields__})


@dataclass(frozen=True)
class Understanding:
    """The category with its calibrated confidence, the words behind it, and the cues."""

    category: Category
    label: str
    """What the classifier said (``out_of_scope`` included), before the threshold."""
    confidence: float
    confident: bool
    evidence: tuple[str, ...]
    alternatives: tuple[tuple[str, float], ...]
    signals: Signals
    requests: tuple[tuple[str, str], ...] = ()
    joined: tuple[tuple[str, str], ...] = ()
    """The same for the parts joined by 'and', 'also', 'then', 'plus' or '+' only."""
    """(clause, category or ``unclear``) for each part of a ticket of several parts; two or more
    distinct categories mean several requests in one ticket, which a person splits."""

    def as_json(self) -> dict[str, Any]:
        return {
            "category": self.category.value,
            "label": self.label,
            "confidence": round(self.confidence, 4),
            "confident": self.confident,
            "evidence": list(self.evidence),
            "alternatives": [[label, round(p, 4)] for label, p in self.alternatives],
            "signals": self.signals.as_json(),
            **({"requests": [list(r) for r in self.requests]} if self.requests else {}),
        }

    @property
    def several_requests(self) -> bool:
        return len({category for _, category in self.requests if category != UNCLEAR}) > 1

    def all_about(self, *categories: str) -> bool:
        """Every part joined by 'and', 'also', 'then', 'plus' or '+' is confidently about `category`
        (a write needs nothing else asked; a comma usually adds a reason, not a request), one of
        `categories`."""
        return all(found in categories for _, found in self.joined)


def ticket_text(short_description: str, description: str) -> str:
    """Subject and body as one text, the subject first (it is what the caller chose to say first)."""
    parts = [part.strip() for part in (short_description, description) if part and part.strip()]
    return "\n".join(dict.fromkeys(parts))


def _classifier(config: ServiceDeskConfig) -> OfflineTextClassifier:
    """The promoted model in the config's model registry, else one trained on `training_data`."""
    return current_classifier(config.training_data, config.models, AGENT_NAME)


def understand(text: str, config: ServiceDeskConfig, threshold: float) -> Understanding:
    """Classify `text` and find its cues; below `threshold` or out of scope it is `unclassified`."""
    prediction: Prediction = _classifier(config).predict(
        text[:_MAX_TEXT] if text.strip() else "(empty ticket)"
    )
    known = {c.value for c in Category}
    confident = (
        not prediction.out_of_scope and prediction.label in known and prediction.confidence >= threshold
    )
    category = Category(prediction.label) if confident else Category.UNCLASSIFIED
    asks = [part for part in clauses(text[:_MAX_TEXT]) if _ASKS.match(part)]
    requests = _requests(asks, config, threshold) if confident else ()
    joined = _requests(clauses(text[:_MAX_TEXT], _JOIN), config, threshold) if confident else ()
    return Understanding(
        category=category,
        label=prediction.label,
        confidence=prediction.confidence,
        confident=confident,
        evidence=tuple(e.text for e in prediction.evidence),
        alternatives=tuple((a.label, a.confidence) for a in prediction.alternatives),
        signals=find_signals(text, config.cues),
        requests=requests,
        joined=joined,
    )


_JOIN = re.compile(r"\s*(?:\+|\balso\b|\bthen\b|\bplus\b|\bas well as\b|\band\b)\s*", re.IGNORECASE)
_CLAUSE_BREAK = re.compile(
    r"\s*(?:[+;\n]|,|\balso\b|\bthen\b|\bplus\b|\bas well as\b|\band\b)\s*", re.IGNORECASE
)
_MIN_CLAUSE_WORDS = 2
_ASKS = re.compile(
    r"(?:(?:hi|hello|hey|also|and|then|pls|please|plz|kindly)\W+)*(?:i\s+)?(?:need|want|would like|"
    r"(?:can|could|would)\s+(?:you|u|someone)|pls|please|plz|reset|unlock|add|remove|give|grant|order|"
    r"buy|purchase|install|update|change|fix|get|move|create|enable|disable|provide|request|replace)\b",
    re.IGNORECASE,
)
"""A clause that asks for something (imperative or 'need ...'); "I typed it wrong too often" or
"I manage the team" explain a request and are not counted as one."""


def clauses(text: str, breaks: re.Pattern[str] = _CLAUSE_BREAK) -> list[str]:
    """The parts of a ticket joined by '+', ';', commas, 'also', 'then', 'plus' or 'and' (parts of
    one word are dropped: "fan loud and hot" stays one request when the parts agree anyway)."""
    parts = [p.strip(" .!?-") for p in breaks.split(text)]
    return [p for p in parts if len(p.split()) >= _MIN_CLAUSE_WORDS]


def _requests(parts: list[str], config: ServiceDeskConfig, threshold: float) -> tuple[tuple[str, str], ...]:
    """Each clause with the category the classifier gives it confidently, else `UNCLEAR` (none for one)."""
    if len(parts) < 2:
        return ()
    known = {c.value for c in Category}
    found = []
    for part, prediction in zip(parts, _classifier(config).predict_many(parts), strict=True):
        sure = not prediction.out_of_scope and prediction.confidence >= threshold
        found.append((part, prediction.label if sure and prediction.label in known else UNCLEAR))
    return tuple(found)
