"""Entities in a ticket, matched against the directory, the catalogue and nothing else.

People are resolved only by an exact login or e-mail (``DirectoryConnector.find_user``): a
look-alike (``jsmlth`` for ``jsmith``) is no match, and a name typed in the text is never looked
up by similarity -- it only tells the agent that *someone else* is meant. Groups and catalogue
items are matched against what the directory and the ITSM tool hold (names, configured
aliases, and near-spellings), so an action always names a real group or item.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz, utils

from agents.perception.entities import find_emails
from connectors.directory.errors import AmbiguousUserError
from connectors.directory.models import DirectoryUser, Group
from connectors.directory.protocol import DirectoryConnector
from connectors.itsm.models import CatalogItem

_WORD = re.compile(r"[A-Za-z0-9][\w+#.-]*")
_NAME = r"[A-Z][a-z'\u2019-]+(?:\s+(?:[A-Z][a-z'\u2019-]+|O'[A-Z][a-z]+)){1,2}"
_NAMED_PERSON = (
    re.compile(rf"\b(?:for|of|to|from)\s+({_NAME})\b"),
    re.compile(rf"\b({_NAME})(?:'|\u2019)s\b"),
    re.compile(rf"\b(?:starter|hire|colleague|manager|report|user|employee)\s+({_NAME})\b"),
)
_CLAIMED_NAME = re.compile(rf"\b(?:[Tt]his is|I am|I'm|[Mm]y name is|[Ss]peaking)\s+({_NAME})\b")
_HANDLE_CONTEXT = re.compile(
    r"\b(?:user(?:name)?|login|account|acct|user id|reset|unlock)\s*[:=]?\s*([a-z][a-z0-9]{2,15}(?:[._][a-z0-9]{1,15})?)\b"
    r"|\b([a-z][a-z0-9]{2,15}(?:[._][a-z0-9]{1,15})?)(?:'|\u2019)s\b"
)
_NOT_HANDLES = frozenset(
    [
        "the",
        "and",
        "for",
        "you",
        "your",
        "our",
        "their",
        "his",
        "her",
        "its",
        "this",
        "that",
        "there",
        "what",
        "who",
        "whose",
        "everyone",
        "someone",
        "anyone",
        "today",
        "tomorrow",
        "yesterday",
        "week",
        "month",
        "year",
        "company",
        "team",
        "manager",
        "colleague",
        "boss",
        "user",
        "users",
        "account",
        "password",
        "passwd",
        "login",
        "please",
        "pls",
        "plz",
        "kindly",
        "asap",
        "now",
        "again",
        "too",
        "also",
        "access",
        "group",
        "admin",
        "admins",
        "name",
        "names",
        "mine",
        "yours",
        "it's",
        "let",
        "that's",
        "what's",
        "here",
        "now",
    ]
)
_PO_STRICT = re.compile(r"\b(?:P\.?O\.?|purchase\s+order)\s*(?:no\.?|number)?\s*[#:-]?\s*(\d{3,10})\b", re.I)
_PO_BARE = re.compile(r"\b(45\d{8})\b")
_NOT_PEOPLE = frozenset(
    [
        "microsoft",
        "adobe",
        "google",
        "visual",
        "power",
        "tableau",
        "docker",
        "project",
        "office",
        "zoom",
        "slack",
        "teams",
        "sap",
        "oracle",
        "domain",
        "identity",
        "prod",
        "finance",
        "payments",
        "sales",
        "service",
        "hr",
        "it",
        "the",
        "jira",
        "github",
        "confluence",
        "figma",
        "workday",
        "salesforce",
        "netsuite",
        "concur",
        "coupa",
        "outlook",
        "okta",
        "sharepoint",
        "windows",
        "mac",
        "apple",
        "dell",
        "lenovo",
        "hp",
        "cisco",
        "vpn",
        "acme",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ]
)
_FUZZY_CUTOFF = 88.0


@dataclass(frozen=True)
class PersonMention:
    """Someone the text names: resolved exactly in the directory, or not at all."""

    written: str
    user: DirectoryUser | None
    how: str
    """``email``, ``login`` or ``name`` (a name is never resolved)."""


@dataclass(frozen=True)
class Entities:
    """Everything the text names that the playbooks can act on, with how it was matched."""

    people: tuple[PersonMention, ...] = ()
    claimed_names: tuple[str, ...] = ()
    """Names the caller gives as their own ("this is John Smith")."""
    groups: tuple[Group, ...] = ()
    catalogue_items: tuple[CatalogItem, ...] = ()
    po_numbers: tuple[str, ...] = ()
    lookups: tuple[str, ...] = field(default=())
    """What was looked up to find these, for the case file."""

    def as_json(self) -> dict[str, Any]:
        return {
            "people": [
                {"written": p.written, "how": p.how, "login": p.user.login if p.user else None}
                for p in self.people
            ],
            "claimed_names": list(self.claimed_names),
            "groups": [g.name for g in self.groups],
            "catalogue_items": [i.name for i in self.catalogue_items],
            "po_numbers": list(self.po_numbers),
        }


def _fold(text: str) -> str:
    return re.sub(r"[\s_-]+", " ", text.casefold()).strip()


def _contains_phrase(folded_text: str, phrase: str) -> bool:
    return re.search(rf"(?<![\w]){re.escape(_fold(phrase))}(?![\w])", folded_text) is not None


def match_names(text: str, names: dict[str, tuple[str, ...]], *, max_words: int = 4) -> list[str]:
    """Canonical names mentioned in `text`: a name or alias as a phrase, or a near-spelling of a name.

    Near-spellings (rapidfuzz ratio >= 88 over word windows) catch ``Domian Admins``; aliases
    match only exactly, so a short alias never matches by accident.
    """
    folded = _fold(text)
    found: dict[str, None] = {}
    for canonical, aliases in names.items():
        if any(_contains_phrase(folded, phrase) for phrase in (canonical, *aliases)):
            found[canonical] = None
    words = [w.group(0) for w in _WORD.finditer(text)]
    for canonical in names:
        if canonical in found or len(canonical) < 6:
            continue
        target = utils.default_process(canonical)
        size = len(canonical.replace("-", " ").split())
        for width in {max(1, size - 1), size, min(max_words, size + 1)}:
            for i in range(len(words) - width + 1):
                window = utils.default_process(" ".join(words[i : i + width]))
                if fuzz.ratio(window, target) >= _FUZZY_CUTOFF:
                    found[canonical] = None
                    break
            if canonical in found:
                break
    return list(found)


def find_po_numbers(text: str) -> tuple[str, ...]:
    """Purchase order numbers: after ``PO``/``purchase order``, or a bare SAP-style ``45xxxxxxxx``."""
    found = [m.group(1) for m in _PO_STRICT.finditer(text)]
    found += [m.group(1) for m in _PO_BARE.finditer(text)]
    return tuple(dict.fromkeys(found))


def _resolve(directory: DirectoryConnector, written: str, how: str) -> DirectoryUser | None:
    try:
        if how == "email":
            return directory.find_user(login=written) or directory.find_user(email=written)
        return directory.find_user(login=written)
    except AmbiguousUserError:
        return None


def find_people(
    text: str, directory: DirectoryConnector, *, login_domain: str | None, lookups: list[str]
) -> tuple[tuple[PersonMention, ...], tuple[str, ...]]:
    """People the text names (exact e-mail or login, or an unresolved name) and names claimed as own."""
    mentions: list[PersonMention] = []
    emails = [c.value for c in find_emails(text)]
    for email in dict.fromkeys(emails):
        lookups.append(f"directory: find user {email}")
        mentions.append(PersonMention(email, _resolve(directory, email, "email"), "email"))
    if login_domain:
        handles = [
            h
            for m in _HANDLE_CONTEXT.finditer(text)
            if (h := m.group(1) or m.group(2)) and h not in _NOT_HANDLES
        ]
        for handle in list(dict.fromkeys(handles))[:3]:
            if any(handle in e for e in emails):
                continue
            login = f"{handle}@{login_domain}"
            user = _resolve(directory, login, "login")
            lookups.append(f"directory: find login {login} -> {'found' if user else 'none'}")
            if user is not None:
                mentions.append(PersonMention(handle, user, "login"))
    for pattern in _NAMED_PERSON:
        for match in pattern.finditer(text):
            name = " ".join(match.group(1).split())
            if name.split()[0].casefold() not in _NOT_PEOPLE and all(p.written != name for p in mentions):
                mentions.append(PersonMention(name, None, "name"))
    claimed = tuple(dict.fromkeys(" ".join(m.group(1).split()) for m in _CLAIMED_NAME.finditer(text)))
    return tuple(mentions), tuple(c for c in claimed if c.split()[0].casefold() not in _NOT_PEOPLE)


def find_groups(text: str, groups: Sequence[Group], aliases: dict[str, tuple[str, ...]]) -> tuple[Group, ...]:
    by_name = {g.name: g for g in groups}
    names = {g.name: tuple(aliases.get(g.name, ())) for g in groups}
    return tuple(by_name[name] for name in match_names(text, names))


def find_catalogue_items(
    text: str, items: Iterable[CatalogItem], aliases: dict[str, tuple[str, ...]]
) -> tuple[CatalogItem, ...]:
    by_name = {i.name: i for i in items}
    names = {name: tuple(aliases.get(name, ())) for name in by_name}
    return tuple(by_name[name] for name in match_names(text, names))
