"""Which language a ticket or message is written in (`langdetect`, a port of Google's detector).

Agents use the answer to pick label words and date/number formats, not to refuse a message:
German, French and Spanish are supported alongside English. Short texts are hard to tell apart
("ok", "vpn down"), so a guess is only `reliable` when the text has enough letters and the
detector's probability is high; otherwise the language is ``und`` (undetermined) and callers
treat the text as their default language. The detector is seeded, so the same text always gets
the same answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from threading import Lock

from langdetect import DetectorFactory, detect_langs
from langdetect.lang_detect_exception import LangDetectException

SUPPORTED = ("en", "de", "fr", "es")
"""Languages the agents understand without an LLM."""
UNDETERMINED = "und"
MIN_LETTERS = 25
"""Fewer letters than this and the text is too short to tell (a subject line, a code, a one-line
request): measured, langdetect reads 12-24-letter English lines such as "Please cancel SO-100001"
(Spanish) or "Refund 90 EUR for SO-100001" (Danish) as another language with probability ~1.0."""
MIN_PROBABILITY = 0.80
"""The detector's probability needed for a reliable guess."""

_LETTERS = re.compile(r"[^\W\d_]", re.UNICODE)
_NOISE = re.compile(r"\S+@\S+|https?://\S+|\b[A-Z]{2,}-?\d+\b|\d[\d.,:/-]*")
_lock = Lock()  # langdetect's factory is module-global; seed and load it once
_seeded = False


@dataclass(frozen=True)
class LanguageGuess:
    """A language code (ISO 639-1, or ``und``), the detector's probability and whether to trust it."""

    code: str
    probability: float
    reliable: bool

    @property
    def supported(self) -> bool:
        """An undetermined language counts as supported: callers fall back to their default."""
        return self.code == UNDETERMINED or self.code in SUPPORTED


def _seed() -> None:
    global _seeded
    with _lock:
        if not _seeded:
            DetectorFactory.seed = 0
            _seeded = True


def detect_language(text: str) -> LanguageGuess:
    """Guess the language of `text`; e-mail addresses, links, ticket numbers and figures are ignored."""
    cleaned = _NOISE.sub(" ", text)
    if len(_LETTERS.findall(cleaned)) < MIN_LETTERS:
        return LanguageGuess(UNDETERMINED, 0.0, False)
    _seed()
    try:
        candidates = detect_langs(cleaned)
    except LangDetectException:
        return LanguageGuess(UNDETERMINED, 0.0, False)
    best = candidates[0]
    code = str(best.lang).split("-")[0]
    probability = float(best.prob)
    if probability < MIN_PROBABILITY:
        return LanguageGuess(UNDETERMINED, probability, False)
    return LanguageGuess(code, probability, True)
