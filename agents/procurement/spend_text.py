"""From PO text to vocabulary terms: tokens, abbreviations, plurals and typos, cached per token.

PO text is short and repetitive ("HP 305A TONER BLK x2", "Maint svc Q3"), and the distinct words
across a million lines number only a few thousand. So every distinct token is resolved once --
exact vocabulary hit, abbreviation, plural, or a rapidfuzz match for a typo -- and remembered;
a description then costs one regex split and a handful of dictionary look-ups.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from rapidfuzz import fuzz, process

_TOKEN = re.compile(r"[a-z][a-z0-9]*(?:[-/][a-z0-9]+)*")
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "or",
        "the",
        "of",
        "for",
        "to",
        "in",
        "on",
        "at",
        "by",
        "with",
        "without",
        "from",
        "their",
        "other",
        "including",
        "incl",
        "per",
        "x",
        "pcs",
        "pc",
        "ea",
        "each",
        "qty",
        "unit",
        "units",
        "item",
        "items",
        "no",
        "nr",
        "new",
        "misc",
        "various",
        "general",
        "as",
        "is",
    ]
)
"""Words that say nothing about the category (taxonomy titles are full of "and")."""
FUZZY_MIN_LENGTH = 5
FUZZY_CUTOFF = 86.0
MAX_CACHED_TOKENS = 500_000


def tokens(text: str) -> list[str]:
    """Raw lower-cased tokens, before any resolution."""
    return _TOKEN.findall(text.lower())


def words(text: str) -> list[str]:
    """Lower-cased word tokens; numbers, sizes and part numbers starting with a digit drop out."""
    return _TOKEN.findall(text.lower())


class TermResolver:
    """Maps raw tokens onto the vocabulary the category matrix knows; one decision per token."""

    def __init__(self, vocabulary: Iterable[str], abbreviations: Mapping[str, str] | None = None) -> None:
        self.vocabulary = frozenset(vocabulary)
        self.abbreviations = dict(abbreviations or {})
        self._choices = sorted(w for w in self.vocabulary if len(w) >= FUZZY_MIN_LENGTH)
        self._cache: dict[str, tuple[str, ...]] = {}

    def resolve(self, token: str) -> tuple[str, ...]:
        """The vocabulary words a token stands for (empty when it is noise or unknown)."""
        found = self._cache.get(token)
        if found is None:
            found = self._resolve(token)
            self._cache[token] = found
        return found

    def _resolve(self, token: str, *, fuzzy: bool = True) -> tuple[str, ...]:
        if token in STOPWORDS:
            return ()
        if token in self.abbreviations:
            expanded = tuple(
                stem(w)
                for w in words(self.abbreviations[token])
                if w not in STOPWORDS and stem(w) in self.vocabulary
            )
            if expanded:
                return expanded
        stemmed = stem(token)
        if stemmed in self.vocabulary:
            return (stemmed,)
        if "-" in token or "/" in token:
            parts = tuple(p for part in re.split(r"[-/]", token) for p in self.resolve(part))
            if parts:
                return parts
        if fuzzy and len(token) >= FUZZY_MIN_LENGTH and token.isalpha():
            match = process.extractOne(stemmed, self._choices, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF)
            if match is not None:
                return (match[0],)
        return ()

    def terms(self, text: str) -> list[str]:
        """Resolved words of `text`, in order (duplicates kept; the caller builds n-grams)."""
        out: list[str] = []
        cache = self._cache
        for token in _TOKEN.findall(text.lower()):
            found = cache.get(token)
            if found is None:
                found = self.resolve(token)
            out.extend(found)
        return out

    def prime(self, texts: Iterable[str]) -> None:
        """Resolve every new token of `texts` at once (see `prime_tokens`)."""
        self.prime_tokens({t for text in texts for t in _TOKEN.findall(text.lower())})

    def prime_tokens(self, tokens: set[str]) -> dict[str, tuple[str, ...]]:
        """Resolve the new tokens: typo matching runs as one parallel rapidfuzz `cdist` over the
        batch's unknown words instead of one search per word. Returns the token cache."""
        if len(self._cache) > MAX_CACHED_TOKENS:
            self._cache.clear()  # part numbers make the token set open-ended: keep memory bounded
        fresh = tokens - self._cache.keys()
        fuzzy: list[str] = []
        for token in fresh:
            found = self._resolve(token, fuzzy=False)
            if found or not (len(token) >= FUZZY_MIN_LENGTH and token.isalpha()):
                self._cache[token] = found
            else:
                fuzzy.append(token)
        if not fuzzy or not self._choices:
            self._cache.update(dict.fromkeys(fuzzy, ()))
            return self._cache
        stems = [stem(token) for token in fuzzy]
        scores = process.cdist(stems, self._choices, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF, workers=-1)
        best = scores.argmax(axis=1)
        for row, token in enumerate(fuzzy):
            column = int(best[row])
            self._cache[token] = (self._choices[column],) if scores[row, column] > 0 else ()
        return self._cache


def stem(token: str) -> str:
    """A light, consistent English plural stemmer: batteries → battery, boxes → box, pens → pen.

    Applied identically to the vocabulary and to PO text, so it only has to be consistent, not
    linguistically perfect.
    """
    if len(token) <= 3 or not token.isalpha():
        return token
    if token.endswith("ies") and len(token) > 4:
        return token[:-3] + "y"
    if token.endswith(("xes", "ches", "shes", "sses")):
        return token[:-2]
    if token.endswith("s") and not token.endswith(("ss", "us", "is")):
        return token[:-1]
    return token


def normalise_words(text: str) -> list[str]:
    """Vocabulary form of a title or term: words without stopwords, stemmed."""
    return [stem(token) for token in words(text) if token not in STOPWORDS]
