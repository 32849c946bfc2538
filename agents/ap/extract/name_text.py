"""What text can be a company's name: a legal form ends it, a sentence, a label, a heading or a
bracketed note never is one, and a name cut at the line end goes on in the line below."""

from __future__ import annotations

import re
from dataclasses import dataclass

from agents.ap.extract.dates import WEEKDAYS
from agents.ap.extract.page_text import PageText, Phrase
from agents.ap.extract.party_blocks import SEPARATOR_CHAR, caption_role
from agents.ap.extract.vocabulary import DOCUMENT_TITLES, HEADER_PATTERNS, fold, match_label
from agents.ap.extract.vocabulary_extra import BLOCK_HEADINGS, NAME_LABELS, PAYEE_WORDS, REGISTER_WORDS

_LEGAL = (
    r"gmbh\s*&\s*co\.?\s*kg|gmbh|mbh|ag|kgaa|kg|ohg|se|ug(?:\s*\(haftungsbeschrankt\))?|e\.\s?k\.|e\.\s?v\.|"
    r"sarl|s\.a\.r\.l\.|sas|s\.a\.s\.|sasu|eurl|snc|sci|scop|sa|s\.a\.u?\.?|sprl|bvba|srl|s\.r\.l\.|spa|s\.p\.a\.|"
    r"s\.n\.c\.|s\.l\.u\.|s\.l\.|slu|sl|s\.coop\.?|bv|b\.v\.|nv|n\.v\.|vof|v\.o\.f\.|cv|c\.v\.|commv|vzw|"
    r"ltd|limited|llc|llp|inc|corp|plc|dac|pty\s*ltd|co|company|a/s|aps|sp\.\s*z\s*o\.\s*o\."
)
_CASED_FORMS = (
    r"AB|AS|ASA|Oy|Oyj|OY|OYJ|a\.\s?G\.|VVaG|eG|Kft\.?|Zrt\.?|Nyrt\.?|s\.\s?r\.\s?o\.|"
    r"a\.\s?s\.|d\.\s?o\.\s?o\.|S\.A\.|SpA|Pvt\.?\s*Ltd"
)
_OTHER_CASES = {"i": "\u0130\u0131", "k": "\u212a", "s": "\u017f"}
"""The letters beyond ASCII that `re.IGNORECASE` takes for an ASCII one: the dotted and the dotless
i, the Kelvin sign, the long s."""


def _caseless(source: str) -> str:
    """`source` matching what it matches under `re.IGNORECASE`, without the flag: every ASCII letter
    (outside an escape; `source` has no character class) becomes the class of its cases. Spelled
    out, the cases cost the matcher a quarter less than the flag's folding of each character."""

    def cases(found: re.Match[str]) -> str:
        if found[0].startswith("\\"):
            return found[0]  # an escape ("\s", "\."): kept as it is
        return _cases(found[0])

    return re.sub(r"\\.|[A-Za-z]", cases, source)


def _cases(letter: str) -> str:
    lower = letter.lower()
    return f"[{lower}{lower.upper()}{_OTHER_CASES.get(lower, '')}]"


_WORD_START = r"(?<!\w[\s\S])(?<!\d\s[\s\S])"
"""Put right after a form's first letter (a word character): no word character stands before the
form (a word boundary, which a digit also fails) and no number and space do ("25 kg" is a unit),
asked one character later than a word boundary and two look-behinds before the letter would be."""


def _by_first_letter(groups: dict[str, list[str]]) -> str:
    """The alternation of `groups` (first character → the rests of the alternatives beginning with
    it, in their order), each group opened by its literal first character and `_WORD_START`. Every
    alternative then begins with a literal, so the compiled pattern knows the characters a match can
    begin with and the search skips every other position without entering the matcher (a leading
    word boundary hid them). Alternatives of different first characters never match at the same place, so
    no match changes."""
    return "|".join(
        f"{re.escape(first)}{_WORD_START}(?:{'|'.join(rests)})" for first, rests in groups.items()
    )


def _caseless_groups(alternatives: str) -> dict[str, list[str]]:
    """The alternation `alternatives` (each beginning with a letter, none holding a nested one)
    caseless, grouped under every case of their first letter, in their order."""
    groups: dict[str, list[str]] = {}
    for alternative in alternatives.split("|"):
        for first in _cases(alternative[0])[1:-1]:
            groups.setdefault(first, []).append(_caseless(alternative[1:]))
    return groups


def _cased_groups(alternatives: str) -> dict[str, list[str]]:
    """The alternation `alternatives` (none holding a nested one) grouped by their first character as
    printed, in their order."""
    groups: dict[str, list[str]] = {}
    for alternative in alternatives.split("|"):
        groups.setdefault(alternative[0], []).append(alternative[1:])
    return groups


_LEGAL_TOKEN = re.compile(
    rf"(?:{_by_first_letter(_caseless_groups(_LEGAL.replace('|co|company', '').replace('|se|', '|')))})"
    r"\.?(?=\s|$|,)"
)
_LEGAL_CASED = re.compile(rf"(?:{_by_first_letter(_cased_groups(_CASED_FORMS))})(?=\s|$|,)")
"""Forms that are also common words in lower case (Swedish "AB", Norwegian "AS", German "a.G."):
only as printed."""


def legal_name(text: str) -> str | None:
    """The name cut after its last legal form within the first 60 characters ("Au bon moulin SARL -
    1242 chemin…" → "Au bon moulin SARL"); a form right after a number is a unit ("Cemento cola
    25 kg"), not a company."""
    end = None
    stop = min(len(text), 75)
    for pattern in (_LEGAL_TOKEN, _LEGAL_CASED):
        if pattern.search(text, 2, stop) is None:
            continue  # most texts hold no form: one search, no iterator
        for match in pattern.finditer(text, 2, stop):
            if match.start() > 60:
                break
            end = max(end or 0, match.end())
    return text[:end] if end is not None else None


SEGMENTS = re.compile(r"\s+[-–|•●·]\s+|\s*[|•●·]\s*|,\s+(?!(?i:inc|llc|l\.l\.c|ltd|limited|corp|plc)\b)")
"""Separators of a sender line's parts; the comma before "Inc." is part of the name."""
_PERSON = re.compile(
    r"^(?:herr|frau|mr|mrs|ms|mme|m\.|monsieur|madame|sr\.?|sra\.?|sig\.?|sig\.ra|dhr\.?|mevr\.?)\b"
)


def _folded_words(words: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(r"^\s*(?:" + "|".join(words) + r")(?![a-z0-9])\s*[:.]?\s*")


@dataclass(frozen=True)
class NamePatterns:
    name_label: re.Pattern[str]
    payee: re.Pattern[str]
    register: re.Pattern[str]
    heading: re.Pattern[str]


_COMPILED: list[NamePatterns] = []


def _after_no_letter(words: tuple[str, ...]) -> str:
    """The alternation of `words` (folded-text patterns, each beginning with a plain letter) that
    matches only where no letter precedes, as ``(?<![a-z])(?:word|…)`` does: each group of words
    of one first letter opens with that letter, then looks two characters back past it. Every
    alternative then begins with a literal, so a search skips the positions no word can begin at
    without entering the matcher; words of different first letters never match at the same place,
    and one letter's words keep their order, so no match changes."""
    groups: dict[str, list[str]] = {}
    for word in words:
        if not "a" <= word[0] <= "z" or word[1:2] in ("?", "*", "+", "{"):
            raise ValueError(f"a word pattern must begin with a plain letter: {word!r}")
        groups.setdefault(word[0], []).append(word[1:])
    return "|".join(f"{first}(?<![a-z][\\s\\S])(?:{'|'.join(rests)})" for first, rests in groups.items())


def patterns() -> NamePatterns:
    if not _COMPILED:
        register = re.compile(r"(?:" + _after_no_letter(REGISTER_WORDS) + r")(?![a-z])")
        payee = re.compile(r"(?:" + _after_no_letter(PAYEE_WORDS) + r")(?![a-z0-9])\s*[:.]?\s*")
        heading = re.compile(r"^\s*(?:" + "|".join(BLOCK_HEADINGS) + r")(?![a-z0-9])\s*:?\s*$")
        _COMPILED.append(NamePatterns(_folded_words(NAME_LABELS), payee, register, heading))
    return _COMPILED[0]


def segments(text: str) -> list[str]:
    """A sender line's parts ("ACME GmbH · Street 1 · City"); a name with a dash and no address
    ("Laura Ortega Ruiz - Diseño Gráfico") stays whole."""
    if SEPARATOR_CHAR.search(text) is None:
        whole = text.strip()
        return [whole] if whole else []  # nothing to split at (most phrases): no split
    parts = [part.strip() for part in SEGMENTS.split(text) if part.strip()]
    if (
        len(parts) == 2
        and _DASHED.search(text)
        and not any(ch.isdigit() for ch in text)
        and not legal_name(text)
    ):
        return [text.strip()]
    return parts


_DASHED = re.compile(r"\S\s+[-–]\s+\S")


def named_part(part: str, folded: str) -> tuple[str, bool]:
    """The name in a segment, without a name label before it (``Denominazione: ACME S.r.l.``)."""
    if ":" not in part:
        return part, False  # a label is taken off only before its colon (most segments have none)
    label = patterns().name_label.match(folded)
    if label and label.end() < len(part) and ":" in part[: label.end() + 1]:
        return part[label.end() :].strip(), True
    return part, False


def heading(text: str) -> bool:
    """A block heading ("Bankverbindung", "Contact:"), not a name."""
    return text.rstrip().endswith(":") or patterns().heading.match(fold(text)) is not None


def continued(printed: str, name: str) -> bool:
    """Whether a comma follows the name ("Pvt. Ltd., Warehouse…"): its final dot is part of the
    name, not the end of a sentence ("… payable to ACME LLC. A late fee…")."""
    at = printed.find(name)
    return at >= 0 and printed[at + len(name) :].lstrip().startswith((",", ";"))


_NOT_A_NAME_START = ("(", "#", "*", "[", ":")
SENTENCE_WORDS = 12
"""A phrase of more words is a sentence: only a legal name inside it can be a party's name."""


def name_like(text: str, folded: str | None = None) -> bool:
    """A label ("Reference:", "Company"), a sentence or a bracketed note is never a name. (The
    tests on the printed text come first, the ones on the folded text (`folded`, when the caller
    has it) and the label vocabulary last.)"""
    if len(text) < 3 or len(text) > 60:
        return False
    stripped = text.strip()
    if (
        stripped.endswith(":")
        or stripped.startswith(_NOT_A_NAME_START)
        or "_" in text
        or "@" in text
        or sum(map(str.isdigit, text)) > len(text) * 0.2
        or len(text.split()) > 8
    ):
        return False  # (each test alone rejects: the cheap ones are asked first)
    folded = fold(text) if folded is None else folded
    if "www." in folded or "http" in folded or folded.strip(" ,.") in WEEKDAYS:
        return False
    label = patterns().name_label.match(folded)
    if (label and label.end() >= len(folded.rstrip())) or patterns().heading.match(folded):
        return False
    if ":" in folded and patterns().heading.match(folded[: folded.index(":")]):
        return False  # "CONTACT : M. Contact": a heading and its value
    if _PERSON.match(folded) or DOCUMENT_TITLES.match(folded) or match_label(folded, HEADER_PATTERNS):
        return False
    return any(map(str.isalpha, text))


_POSTAL = re.compile(r"(?:^|\s)(?:[a-z]{1,2}-?)?\d{4,5}(?:\s|$)|\b[a-z]{2}\s+\d{5}(?:-\d{4})?\b")
"""A postcode line: "69100 Villeurbanne", "D-80331 München", "Fremont CA 94538"."""


def address_heads(page: PageText) -> list[Phrase]:
    """Names heading a postal address at the left margin in the top 40 % of the page, top first:
    the lines under the name, in its column and without a gap, give a street with a number and a
    postcode; nothing but a one-line tagline on the right is printed above it. An address indented into the
    page, or under a letterhead, is the envelope window's."""
    heads: list[Phrase] = []
    margin = min((line.phrases[0].x0 for line in page.lines if line.phrases), default=0.0)
    for index, line in enumerate(page.lines):
        if (
            line.top > page.height * 0.4
            or index > 1
            or any(p.x0 < page.width / 2 for above in page.lines[:index] for p in above.phrases)
        ):
            break
        for phrase in line.phrases:
            text = phrase.text.strip()
            if phrase.x0 > margin + 15 or any(ch.isdigit() for ch in text) or not name_like(text):
                continue
            below: list[str] = []
            last = phrase
            for following in page.lines[index + 1 : index + 5]:
                aligned = [p for p in following.phrases if abs(p.x0 - phrase.x0) <= 3]
                if not aligned or aligned[0].top - last.bottom > phrase.height:
                    break
                below.append(fold(aligned[0].text))
                last = aligned[0]
            street = len(below) >= 2 and any(ch.isdigit() for ch in below[0])
            if street and any(_POSTAL.search(text) for text in below[:3]):
                heads.append(phrase)
    return heads


class NameTests:
    """The name tests of one document, each text tested once: a phrase is asked about as a name,
    as the first line of a name cut at the line end (from the line below) and as the rest of one
    (from the line above). Made per document, never shared between documents."""

    def __init__(self) -> None:
        self._legal: dict[str, str | None] = {}
        self._like: dict[str, bool] = {}
        self._below: dict[int, Phrase | None] = {}

    def legal_name(self, text: str) -> str | None:
        if text not in self._legal:
            self._legal[text] = legal_name(text)
        return self._legal[text]

    def name_like(self, text: str, folded: str | None = None) -> bool:
        """`name_like(text)`; `folded` is `fold(text)` when the caller has it."""
        if text not in self._like:
            self._like[text] = name_like(text, folded)
        return self._like[text]

    def continuation(self, page: PageText, index: int, phrase: Phrase) -> Phrase | None:
        """The next line of a name cut at the line end: the phrase right below in the same column
        and type, ending in the legal form the first line lacks."""
        key = id(phrase)  # the phrases live as long as the document's pages: ids stay unique
        if key not in self._below:
            self._below[key] = self._continuation(page, index, phrase)
        return self._below[key]

    def _continuation(self, page: PageText, index: int, phrase: Phrase) -> Phrase | None:
        if not self.name_like(phrase.text.strip()):
            return None  # asked first: the caller asks it of most phrases anyway (its name test)
        height = phrase.height
        if index + 1 >= len(page.lines) or page.lines[index + 1].top - phrase.bottom > 0.6 * height:
            return None
        x0 = phrase.x0
        for below in page.lines[index + 1].phrases:
            if abs(below.x0 - x0) <= 3 and abs(below.height - height) <= 0.15 * height:
                break
        else:
            return None  # nothing in the column below (most phrases): no more text tests needed
        rest = below.text.strip()
        if (
            self.legal_name(rest) != rest  # the line below does not end in its legal form
            or self.legal_name(phrase.text) is not None  # the first line is a whole name
            or caption_role(phrase.text) is not None
            or not self.name_like(f"{phrase.text} {rest}")
        ):
            return None
        return below

    def continues_above(self, page: PageText, index: int, phrase: Phrase) -> bool:
        """Whether `phrase` is the rest of a name begun on the line above: only a phrase that ends
        in its legal form can be, so the line above is searched only for those."""
        text = phrase.text.strip()
        return (
            index > 0
            and self.legal_name(text) == text
            and any(
                self.continuation(page, index - 1, above) is phrase
                for above in page.lines[index - 1].phrases
                if abs(above.x0 - phrase.x0) <= 3
            )
        )
