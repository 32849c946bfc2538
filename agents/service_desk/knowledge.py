"""The service desk's knowledge base: internal articles, answered with a citation or not at all.

An article is a Markdown file with YAML front matter (``id`` such as KB0012, ``title``, ``owner``,
``updated``; optional ``tags`` and ``audience``) and a body made of ``## `` sections. The loader
is strict -- missing or duplicate id, no title, bad front matter, an unknown key, text outside a
section, an empty section or body raises `KnowledgeBaseError` naming the file -- because a
silently skipped article is an answer the agent will never give.

`KnowledgeBase.answer` finds the section that answers a question (BM25 over sections; why, and how
questions are read, in `agents.service_desk.kb_index`) and returns a verbatim excerpt of it with a
citation such as ``KB0012 §2 Carry-over``, or None so that the agent escalates. Nothing is
generated. The confidence (0..1) is the share of the question's informative weight that the
answering section covers, discounted when another article scores nearly as well, and again when no
question word names the article's or the section's topic:

    confidence = coverage x (1 - MARGIN_WEIGHT x runner_up_score / best_score) [x OFF_TOPIC_FACTOR]

The default threshold separates the labelled questions of fixtures/kb_questions.yaml; the figures
are measured by tests/agents/service_desk/test_knowledge.py.

Text that tries to instruct the system ("ignore previous instructions and ...") is never answered:
retrieval could not obey it anyway, but a person should see it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from agents.errors import AgentConfigError
from agents.service_desk.kb_index import (
    Passage,
    QueryTerm,
    SectionIndex,
    SectionScore,
    best_passage,
    readings,
)

DEFAULT_MIN_CONFIDENCE = 0.4
"""Chosen on the dev questions of fixtures/kb_questions.yaml, where answered questions score 0.41 to
1.0 and unanswerable ones at most 0.36."""
MARGIN_WEIGHT = 0.5
"""How much a runner-up article scoring as high as the best one takes off the confidence."""
OFF_TOPIC_FACTOR = 0.6
"""Confidence kept when no question word names the topic of the article or section (title, tags,
heading): "Can I get a company car?" matches words of the expenses article, not its subject."""
SENTENCE_FACTOR = 0.85
"""Confidence kept when a ticket without a question mark is answered from one of its sentences."""
EXCERPT_CHARS = 600
_ID = re.compile(r"^KB\d{4,}$")
_KEYS = {"id", "title", "tags", "owner", "updated", "audience"}
_REQUIRED = ("id", "title", "owner", "updated")
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n---[ \t]*(?:\n|\Z)", re.DOTALL)
_BLOCK_START = re.compile(r"^\s*(?:[-*+] |\d+[.)] |\||#|>)")
_INSTRUCTION = re.compile(
    r"\b(?:ignore|disregard|forget|override)\b.{0,40}\b(?:instructions?|prompts?|rules|above|previous)\b"
    r"|\bsystem prompt\b|\byou are now\b|\bjailbreak\b|\bpretend (?:to be|you are)\b",
    re.IGNORECASE | re.DOTALL,
)


class KnowledgeBaseError(AgentConfigError):
    """An article or the knowledge-base folder is unusable; the message names the file and problem."""


@dataclass(frozen=True)
class Section:
    number: int
    """1-based position among the article's ``## `` sections; the § of a citation."""
    heading: str
    text: str
    """The section's Markdown as written, without its heading."""

    @property
    def plain_text(self) -> str:
        """The text with line wraps inside paragraphs joined; paragraphs and list items kept apart."""
        return _unwrap(self.text)


@dataclass(frozen=True)
class Article:
    id: str
    title: str
    tags: tuple[str, ...]
    owner: str
    updated: dt.date
    audience: tuple[str, ...]
    sections: tuple[Section, ...]
    path: Path

    def section(self, number: int) -> Section:
        for s in self.sections:
            if s.number == number:
                return s
        raise KnowledgeBaseError(f"{self.id} has no section §{number}")

    def citation(self, section: Section) -> str:
        return f"{self.id} §{section.number} {section.heading}"


@dataclass(frozen=True)
class Answer:
    article_id: str
    title: str
    section: str
    """Heading of the answering section."""
    excerpt: str
    """The answering sentences of that section, verbatim from `Section.plain_text`, ≤ ~600 chars."""
    confidence: float
    citations: tuple[str, ...]
    """Answering section first, e.g. ("KB0012 §2 Carry-over",)."""


class KnowledgeBase:
    """Articles plus a section index over them; immutable once built."""

    def __init__(
        self, articles: Iterable[Article], *, min_confidence: float = DEFAULT_MIN_CONFIDENCE
    ) -> None:
        if not 0.0 <= min_confidence <= 1.0:
            raise KnowledgeBaseError(f"min_confidence must be between 0 and 1, not {min_confidence}")
        self._articles = tuple(articles)
        self._by_id: dict[str, Article] = {}
        for a in self._articles:
            if a.id in self._by_id:
                raise KnowledgeBaseError(f"{a.path}: duplicate id {a.id} (also in {self._by_id[a.id].path})")
            self._by_id[a.id] = a
        self.min_confidence = min_confidence
        self._sections = [(a, s) for a in self._articles for s in a.sections]
        self._index = SectionIndex(
            [Passage(a.id, a.title, " ".join(a.tags), s.heading, s.text) for a, s in self._sections]
        )

    @classmethod
    def load(cls, directory: Path, *, min_confidence: float = DEFAULT_MIN_CONFIDENCE) -> KnowledgeBase:
        """Every ``*.md`` article under `directory`, in path order."""
        if not directory.is_dir():
            raise KnowledgeBaseError(f"{directory}: knowledge base folder not found")
        paths = sorted(directory.rglob("*.md"))
        if not paths:
            raise KnowledgeBaseError(f"{directory}: no *.md articles")
        return cls((read_article(p) for p in paths), min_confidence=min_confidence)

    @property
    def articles(self) -> tuple[Article, ...]:
        return self._articles

    def get(self, article_id: str) -> Article:
        try:
            return self._by_id[article_id]
        except KeyError:
            raise KnowledgeBaseError(f"no article with id {article_id!r}") from None

    def answer(self, question: str, *, min_confidence: float | None = None) -> Answer | None:
        """The best-supported answer, or None when no article answers with confidence."""
        threshold = self.min_confidence if min_confidence is None else min_confidence
        found = self.candidates(question, limit=1)
        return found[0] if found and found[0].confidence >= threshold else None

    def candidates(self, question: str, *, limit: int = 3) -> tuple[Answer, ...]:
        """Up to `limit` answers from different articles, best first, whatever their confidence:
        what the knowledge base had, for the case file when the agent escalates."""
        if not question.strip() or _INSTRUCTION.search(question):
            return ()
        whole, *sentences = [self._index.query_terms(text) for text in readings(question)]
        found = [self._candidates(whole, limit, 1.0)]
        for terms in sentences:
            # a sentence read alone must name a subject ("Dear support," is no question about relocation
            # support) and answers only part of the ticket
            if sum(t.known and not t.framing for t in terms) >= 2:
                found.append(self._candidates(terms, limit, SENTENCE_FACTOR))
        return max(found, key=lambda answers: answers[0].confidence if answers else -1.0)

    def _candidates(self, terms: list[QueryTerm], limit: int, factor: float) -> tuple[Answer, ...]:
        by_article: dict[str, list[SectionScore]] = {}
        for scored in self._index.rank(terms):
            by_article.setdefault(self._sections[scored.passage][0].id, []).append(scored)
        # articles in the order of their best section; within one, the section that answers
        ranked = [max(by, key=_reading_order) for by in by_article.values()]
        top_scores = [sections[0].score for sections in by_article.values()]
        answers = []
        for i, s in enumerate(ranked[:limit]):
            rival = max((r for j, r in enumerate(top_scores[: i + 2]) if j != i), default=0.0)
            closeness = min(rival / top_scores[i], 1.0) if top_scores[i] > 0 else 1.0
            confidence = factor * s.coverage * (1.0 - MARGIN_WEIGHT * closeness)
            if not s.topical:
                confidence *= OFF_TOPIC_FACTOR
            answers.append(self._answer(s.passage, confidence, terms))
        return tuple(answers)

    def _answer(self, passage: int, confidence: float, terms: list[QueryTerm]) -> Answer:
        article, section = self._sections[passage]
        return Answer(
            article_id=article.id,
            title=article.title,
            section=section.heading,
            excerpt=best_passage(section.plain_text, terms, EXCERPT_CHARS),
            confidence=round(min(max(confidence, 0.0), 1.0), 4),
            citations=(article.citation(section),),
        )


def _reading_order(s: SectionScore) -> tuple[float, float, float]:
    """Which section of an article answers: the one explaining most of the question, then the one
    that stands out in the article for the question's words, then the best-scoring one."""
    return (s.coverage, s.local_fit, s.score)


def read_article(path: Path) -> Article:
    """One article file; `KnowledgeBaseError` names the file and what is wrong with it."""
    try:
        source = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise KnowledgeBaseError(f"{path}: cannot read the article ({exc})") from exc
    match = _FRONT_MATTER.match(source)
    if not match:
        raise KnowledgeBaseError(f"{path}: no front matter (the file must start with a '---' block)")
    try:
        meta = yaml.safe_load(match.group(1))
    except yaml.YAMLError as exc:
        raise KnowledgeBaseError(f"{path}: bad front matter: {exc}") from exc
    if not isinstance(meta, dict):
        raise KnowledgeBaseError(f"{path}: bad front matter: expected key: value pairs")
    unknown = sorted(set(meta) - _KEYS, key=str)
    if unknown:
        raise KnowledgeBaseError(f"{path}: unknown front-matter key(s) {unknown}; allowed: {sorted(_KEYS)}")
    for key in _REQUIRED:
        if meta.get(key) in (None, ""):
            raise KnowledgeBaseError(f"{path}: missing {key!r} in the front matter")
    article_id = _text(path, meta, "id")
    if not _ID.match(article_id):
        raise KnowledgeBaseError(f"{path}: id {article_id!r} is not of the form KB0012")
    updated = meta["updated"]
    if isinstance(updated, dt.datetime) or not isinstance(updated, dt.date):
        raise KnowledgeBaseError(f"{path}: 'updated' must be a date such as 2025-09-01, not {updated!r}")
    return Article(
        id=article_id,
        title=_text(path, meta, "title"),
        tags=_strings(path, meta, "tags"),
        owner=_text(path, meta, "owner"),
        updated=updated,
        audience=_strings(path, meta, "audience"),
        sections=_sections(path, source[match.end() :]),
        path=path,
    )


def _text(path: Path, meta: dict[str, Any], key: str) -> str:
    value = meta[key]
    if not isinstance(value, str | int) or isinstance(value, bool) or not str(value).strip():
        raise KnowledgeBaseError(f"{path}: {key!r} must be a non-empty text, not {value!r}")
    return str(value).strip()


def _strings(path: Path, meta: dict[str, Any], key: str) -> tuple[str, ...]:
    value = meta.get(key)
    if value is None:
        return ()
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(v, str) and v.strip() for v in items):
        raise KnowledgeBaseError(f"{path}: {key!r} must be a text or a list of non-empty texts")
    return tuple(v.strip() for v in items)


def _sections(path: Path, body: str) -> tuple[Section, ...]:
    if not body.strip():
        raise KnowledgeBaseError(f"{path}: empty body (an article needs at least one '## ' section)")
    parts: list[tuple[str, list[str]]] = []
    preamble: list[str] = []
    fenced = False
    for line in body.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
        if not fenced and line.startswith("## "):
            parts.append((line[3:].strip(), []))
        elif parts:
            parts[-1][1].append(line)
        else:
            preamble.append(line)
    if any(line.strip() for line in preamble):
        raise KnowledgeBaseError(
            f"{path}: text before the first '## ' section (put the title in front matter)"
        )
    sections, headings = [], set()
    for number, (heading, lines) in enumerate(parts, start=1):
        text = "\n".join(lines).strip()
        if not heading:
            raise KnowledgeBaseError(f"{path}: section {number} has no heading after '## '")
        if not text:
            raise KnowledgeBaseError(f"{path}: section {number} ({heading}) is empty")
        if heading.casefold() in headings:
            raise KnowledgeBaseError(f"{path}: duplicate section heading {heading!r}")
        headings.add(heading.casefold())
        sections.append(Section(number, heading, text))
    return tuple(sections)


def _unwrap(text: str) -> str:
    paragraphs = []
    for paragraph in re.split(r"\n[ \t]*\n", text.strip()):
        lines: list[str] = []
        for line in paragraph.splitlines():
            if lines and not _BLOCK_START.match(line):
                lines[-1] = f"{lines[-1]} {line.strip()}"
            else:
                lines.append(line.rstrip())
        paragraphs.append("\n".join(lines))
    return "\n\n".join(paragraphs)
