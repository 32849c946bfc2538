"""Section-level BM25 retrieval with a coverage-based confidence, for the knowledge base.

Why BM25 rather than TF-IDF cosine: a BM25 score is a sum of per-word contributions, so for every
question the index can say *which* of its words a section accounts for, and how: as the topic of
the article (its title or tags) or of the section (its heading), in the section's text, or only
elsewhere in the article. The confidence is then a readable quantity -- the share of the question's
informative (IDF) weight the answering section accounts for -- rather than a cosine whose scale
drifts with the length of the question; and "Can I get a company car?" can be told apart from a
question about the expenses article that merely mentions cars. Ranking adds TOPIC_BONUS for words
that name an article's topic, so the article *about* sick leave beats one that lists sick pay among
other things. No training, deterministic, built in milliseconds in pure Python (importing
scikit-learn's text module alone takes ~0.8 s, over the load budget).

Text analysis, the same for articles and questions: lower case, thousands separators dropped,
alphanumeric tokens, English stop words removed, a light suffix stemmer (plural, -ing, -ed, final
-e). A question word of six letters or more that the articles never use is snapped to the closest
word they do use -- one edit away (two from nine letters), same first letter: "parrental",
"trvael", "bereavemnt" -- so typos do not cost the answer. A word with no close match stays
unknown and counts against the confidence (see UNKNOWN_SHARE), which is what sends "what is the stock
price" to a human.

Framing words ("policy", "process", "who should I talk to", "how do I apply") say how something is
asked, not what about: they choose the section within an article but are left out of the confidence
and count little towards choosing the article. A ticket is read as its question sentences when it
has any; otherwise whole, without its sign-off ("Cheers, Zoe", "Sent from my iPhone"), and sentence
by sentence (see `readings`), so that small talk around a question does not drown it.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import OSA


def _word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


K1 = 1.2
B = 0.75
HEADING_WEIGHT = 2
"""A word of a section's heading counts this many times in the section's term frequencies."""
TOPIC_BONUS = 2.0
"""Added (times IDF) to every section of an article whose title or tags contain the question word."""
EVIDENCE_TOPIC, EVIDENCE_SECTION, EVIDENCE_ARTICLE = 1.0, 0.8, 0.5
"""How fully a question word is accounted for when it names the topic, is used by the section, or
only by another section of the same article (see `SectionIndex.rank`)."""
FRAMING_WEIGHT = 0.3
"""Share of its IDF a framing word adds to the ranking score."""
UNKNOWN_SHARE = 0.65
"""Confidence weight of a question word no article uses, as a share of the IDF of a word used by one
section only (4.6 for the ~150 shipped sections, so 3.0). Twice that for an unknown record reference
(5+ digits: a PO, invoice or ticket number): articles state rules, not one record's status."""

STOP_WORDS = _word_set(
    """a about above after again against all also am an and any are as at be been before being below
    between both but by can cannot could did didnt do does doesnt doing dont down during each either
    else ever every few for from further get gets getting got had has have having he her here hers him
    his how however i id if im in into is isnt it its itll ive just let lets like may me might more most
    much must my myself no nor not now of off on once only or other our ours out over own per really
    same shall she should so some such than that thats the their theirs them then there these they
    this those through thus to too under until up us very want was wasnt we were what whats when where
    whether which while who whom whos why will with within without would yes yet you your youre yours
    ok okay many re away next take taking give giving happen happens happened expect planning going
    something anything someone anyone thing things"""
)
FRAMING_WORDS = _word_set(
    """policy policies rule rules process procedure document documentation handbook information info
    question questions query ask asked asking help clarify understand explain know tell point find apply
    look talk speak contact hr team please thank thanks hi hello hey greetings dear regards cheers
    concern wondering said say says"""
)
_SIGN_OFF = re.compile(
    r"(?:^|(?<=[\s.,!?]))(?:kind regards|best regards|regards|cheers|many thanks|thanks in advance|best,|"
    r"sent from my|--\s)",
    re.IGNORECASE,
)
_SENTENCE = re.compile(r"[^.?!\n]+[.?!]*")
SIGN_OFF_TAIL = 80
MAX_CHARS = 2000
MAX_SENTENCES = 6
MEMO_LIMIT = 20_000
"""Spelling corrections remembered before the memo starts afresh (a long-running agent sees many words)."""
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}\b)")
_TOKEN = re.compile(r"[a-z0-9]+")
_RECORD_ID = re.compile(r"\d{5,}")


def stem(word: str) -> str:
    """Plural, -ment, -ing, -ed and final -e removed: "leaves", "leave" -> "leav"; "entitlement",
    "entitled" -> "entitl"."""
    w = word
    if len(w) > 4 and w.endswith("ies"):
        w = w[:-3] + "y"
    elif w.endswith("sses") or (len(w) > 4 and w.endswith("uses")):
        w = w[:-2]
    elif len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    if len(w) > 8 and w.endswith("ment"):
        w = w[:-4]
    for suffix in ("ing", "ed"):
        if len(w) > len(suffix) + 3 and w.endswith(suffix):
            w = w[: -len(suffix)]
            if len(w) > 3 and w[-1] == w[-2] and w[-1] not in "lsz":
                w = w[:-1]
            break
    if len(w) > 4 and w.endswith("e"):
        w = w[:-1]
    return w


def words(text: str) -> list[str]:
    """Lower-case alphanumeric tokens, apostrophes joined ("don't" -> "dont"), "5,000" -> "5000"."""
    flat = _THOUSANDS.sub("", text.lower().replace("'", "").replace("\u2019", ""))
    return _TOKEN.findall(flat)


def stems(text: str) -> set[str]:
    """The distinct stems of a text's non-stop words."""
    return {stem(w) for w in words(text) if w not in STOP_WORDS}


def readings(text: str) -> list[str]:
    """The parts of a ticket that may carry its question: the question sentences if it has any;
    otherwise the text without a closing sign-off (one starting within the last SIGN_OFF_TAIL
    characters) and, when that is several sentences, each of the first MAX_SENTENCES alone -- "hr
    question re the pension plan. I already checked the FAQ." is answered from its first sentence.
    Only the first MAX_CHARS characters are read: a question comes before quoted mail history."""
    text = text[:MAX_CHARS]
    sentences = [s.strip() for s in _SENTENCE.findall(text) if s.strip()]
    questions = list(dict.fromkeys(s for s in sentences if s.endswith("?")))
    if questions:
        return [" ".join(questions)]
    for sign_off in _SIGN_OFF.finditer(text):
        if sign_off.start() > 0 and len(text) - sign_off.start() <= SIGN_OFF_TAIL:
            text = text[: sign_off.start()]
            break
    sentences = list(dict.fromkeys(s.strip() for s in _SENTENCE.findall(text) if s.strip()))
    return [text, *sentences[:MAX_SENTENCES]] if len(sentences) > 1 else [text]


@dataclass(frozen=True)
class QueryTerm:
    stem: str
    weight: float
    """IDF of the stem, or the unknown-word weight (see UNKNOWN_SHARE) when no article uses it."""
    known: bool
    framing: bool


@dataclass(frozen=True)
class SectionScore:
    passage: int
    """Index of the passage in the order given to `SectionIndex`."""
    score: float
    """Ranking score: BM25 of the section plus TOPIC_BONUS x the IDF of the question words that
    name its article's topic (framing words count at FRAMING_WEIGHT)."""
    coverage: float
    """Share of the question's informative weight the section accounts for, 0..1 (see `rank`)."""
    topical: float
    """Share of the question's informative weight that names the article's or the section's topic."""
    local_fit: float
    """BM25 of the section among its article's sections only (IDF counted over those sections),
    framing words at full weight: which part of the article is asked for. "Can I carry over ..." ->
    "Carry-over", "who should I talk to about parental leave" -> "Who to talk to", because "leave"
    and "parental" are everywhere in that article and "talk" is not."""


@dataclass(frozen=True)
class Passage:
    """One section as the index sees it: its article's id, title and tags, its heading and text."""

    group: str
    """The article the section belongs to."""
    title: str
    tags: str
    heading: str
    body: str


class SectionIndex:
    """BM25 over article sections plus article topics; built once, queried many times."""

    def __init__(self, passages: Sequence[Passage]) -> None:
        self.passages = tuple(passages)
        self._tf: list[Counter[str]] = []
        self._headings: list[set[str]] = []
        self._topic: dict[str, set[str]] = {}
        self._mentions: dict[str, set[str]] = {}
        self._frequency: Counter[str] = Counter()
        df: Counter[str] = Counter()
        for p in self.passages:
            counts: Counter[str] = Counter()
            for text, weight in ((p.heading, HEADING_WEIGHT), (p.body, 1)):
                for token in words(text):
                    self._frequency[token] += 1
                    if token not in STOP_WORDS:
                        counts[stem(token)] += weight
            topic = stems(f"{p.title} {p.tags}")
            self._frequency.update(words(f"{p.title} {p.tags}"))
            self._tf.append(counts)
            self._headings.append(stems(p.heading))
            self._topic.setdefault(p.group, set()).update(topic)
            self._mentions.setdefault(p.group, set()).update(counts, topic)
            df.update(set(counts) | topic)
        lengths = [sum(c.values()) for c in self._tf]
        average = sum(lengths) / max(len(lengths), 1)
        self._norm = [K1 * (1 - B + B * n / average) for n in lengths]
        n = len(self._tf)
        self._idf = {t: math.log((n - d + 0.5) / (d + 0.5) + 1.0) for t, d in df.items()}
        sections: Counter[str] = Counter(p.group for p in self.passages)
        local_df: dict[str, Counter[str]] = {}
        for p, counts in zip(self.passages, self._tf, strict=True):
            local_df.setdefault(p.group, Counter()).update(counts.keys())
        self._local_idf = {
            g: {t: math.log((sections[g] - d + 0.5) / (d + 0.5) + 1.0) for t, d in df_g.items()}
            for g, df_g in local_df.items()
        }
        self._unknown_weight = UNKNOWN_SHARE * math.log((n - 0.5) / 1.5 + 1.0) if n else 1.0
        self._spellings: dict[tuple[str, int], list[str]] = {}
        for spelling in sorted(set(self._frequency) | STOP_WORDS | FRAMING_WORDS):
            self._spellings.setdefault((spelling[0], len(spelling)), []).append(spelling)
        self._corrections: dict[str, str] = {}

    def _correct(self, token: str) -> str:
        """The closest spelling the index or the stop lists know, within the edit budget (memoised)."""
        if token not in self._corrections:
            if len(self._corrections) >= MEMO_LIMIT:
                self._corrections.clear()
            self._corrections[token] = self._nearest(token)
        return self._corrections[token]

    def _nearest(self, token: str) -> str:
        if len(token) < 6 or not token.isalpha() or token in STOP_WORDS or token in FRAMING_WORDS:
            return token
        if stem(token) in self._idf:
            return token
        budget = 2 if len(token) >= 9 else 1
        candidates = [
            s
            for n in range(len(token) - budget, len(token) + budget + 1)
            for s in self._spellings.get((token[0], n), ())
        ]
        found = process.extract(token, candidates, scorer=OSA.distance, score_cutoff=budget, limit=None)
        if not found:
            return token
        # the nearest spelling; among equals the one the articles use most ("parentl" -> "parental")
        return min(found, key=lambda f: (f[1], -self._frequency.get(f[0], 0), f[0]))[0]

    def query_terms(self, text: str) -> list[QueryTerm]:
        """The distinct informative terms of a question, corrected, stemmed and weighted."""
        terms: dict[str, QueryTerm] = {}
        for raw in words(text):
            token = self._correct(raw)
            if token in STOP_WORDS or (len(token) < 2 and not token.isdigit()):
                continue
            s = stem(token)
            if s in terms:
                continue
            known = s in self._idf
            weight = self._idf[s] if known else self._unknown_weight * (2 if _RECORD_ID.search(s) else 1)
            terms[s] = QueryTerm(s, weight, known, token in FRAMING_WORDS)
        return list(terms.values())

    def rank(self, terms: Sequence[QueryTerm]) -> list[SectionScore]:
        """Sections whose article uses at least one question word, best first (ties: passage order).

        A word's BM25 part in a section is ``idf x (k1 + 1) x tf / (tf + k1 x (1 - b + b x len /
        avg_len))``. Its evidence, for the coverage, is EVIDENCE_TOPIC when it names the article's
        topic (title, tags) or the section's (heading), EVIDENCE_SECTION when only the section's text
        uses it, EVIDENCE_ARTICLE when only another section of the article does, else 0."""
        known = [t for t in terms if t.known]
        informative = sum(t.weight for t in terms if not t.framing)
        scale = 1.0 / informative if informative else 0.0
        asked = {t.stem for t in known}
        groups = {g for g, used in self._mentions.items() if not asked.isdisjoint(used)}
        scored = []
        for i, p in enumerate(self.passages):
            if p.group not in groups:
                continue
            counts, norm, heading = self._tf[i], self._norm[i], self._headings[i]
            topic, mentions = self._topic[p.group], self._mentions[p.group]
            local_idf = self._local_idf[p.group]
            score = covered = topical = local_fit = 0.0
            for t in known:
                tf = counts.get(t.stem, 0)
                saturation = (K1 + 1) * tf / (tf + norm)
                on_topic = t.stem in topic
                local_fit += local_idf.get(t.stem, 0.0) * saturation
                share = FRAMING_WEIGHT if t.framing else 1.0
                score += share * t.weight * (saturation + (TOPIC_BONUS if on_topic else 0.0))
                if t.framing:
                    continue
                if on_topic or t.stem in heading:
                    covered += EVIDENCE_TOPIC * t.weight
                    topical += t.weight
                elif tf:
                    covered += EVIDENCE_SECTION * t.weight
                elif t.stem in mentions:
                    covered += EVIDENCE_ARTICLE * t.weight
            scored.append(SectionScore(i, score, covered * scale, topical * scale, local_fit))
        scored.sort(key=lambda s: (-s.score, s.passage))
        return scored


_SENTENCE_SPAN = re.compile(r"\S.*?(?:[.!?](?=\s|\Z)|(?=\n)|\Z)", re.DOTALL)


def best_passage(text: str, terms: Sequence[QueryTerm], limit: int) -> str:
    """The run of consecutive whole sentences of `text`, at most `limit` characters and copied
    verbatim, that carries most of the question's weight, preferably opening on a sentence that
    carries some (the earliest such run on a tie)."""
    if len(text) <= limit:
        return text
    weight = {t.stem: t.weight * (FRAMING_WEIGHT if t.framing else 1.0) for t in terms if t.known}
    spans = [m.span() for m in _SENTENCE_SPAN.finditer(text)]
    scores = [sum(weight.get(s, 0.0) for s in stems(text[a:b])) for a, b in spans]
    best: tuple[float, bool, int, int] | None = None
    for first in range(len(spans)):
        last = first
        while last + 1 < len(spans) and spans[last + 1][1] - spans[first][0] <= limit:
            last += 1
        if spans[last][1] - spans[first][0] > limit:
            continue
        # most weight first; then a run that opens with a sentence carrying some; then the earliest
        candidate = (sum(scores[first : last + 1]), scores[first] > 0, spans[first][0], spans[last][1])
        if best is None or candidate[:2] > best[:2]:
            best = candidate
    if best is None:
        return text[:limit].rsplit(" ", 1)[0]
    return text[best[2] : best[3]]
