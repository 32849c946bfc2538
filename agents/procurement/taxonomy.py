"""Category taxonomies: UNSPSC or a company's own tree, loaded from CSV, with zero-shot terms.

A taxonomy CSV has the columns ``code,title,parent_code``. When every code is an 8-digit UNSPSC
code the parent column may be omitted or empty: the hierarchy follows from the digits (two per
level, trailing ``00`` pairs denote the higher level). Levels are named by depth --
segment, family, class, commodity -- whatever the scheme, so ``--level family`` means "the second
level" for a company tree too.

A company's own categories are mapped onto UNSPSC with a ``company_code,unspsc_code`` CSV; the
company category then inherits the titles and terms of the UNSPSC nodes mapped to it, which is
what lets the zero-shot matcher classify into a tree it has never seen labelled data for.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from agents.procurement.errors import TaxonomyError
from connectors.fixture_files import fixture_path

LEVELS = ("segment", "family", "class", "commodity")
"""Level names by depth (0 = top)."""
_UNSPSC = re.compile(r"^\d{8}$")


def level_index(name: str) -> int:
    """Depth of a level name; a `TaxonomyError` lists the valid names."""
    try:
        return LEVELS.index(name)
    except ValueError:
        raise TaxonomyError(f"unknown level {name!r}; use one of {', '.join(LEVELS)}") from None


def unspsc_depth(code: str) -> int:
    """0 for a segment (43000000) ... 3 for a commodity (43211503)."""
    pairs = [code[i : i + 2] for i in range(0, 8, 2)]
    depth = 3
    while depth > 0 and pairs[depth] == "00":
        depth -= 1
    return depth


def unspsc_parent(code: str) -> str | None:
    """The code one level up, or None for a segment."""
    depth = unspsc_depth(code)
    if depth == 0:
        return None
    keep = 2 * depth
    return code[:keep].ljust(8, "0")


@dataclass(frozen=True)
class Category:
    """One node of a taxonomy."""

    code: str
    title: str
    parent: str | None
    """Parent code; None for a top-level node."""
    depth: int = 0
    """0 = segment level, 1 = family, 2 = class, 3 = commodity."""
    terms: tuple[str, ...] = ()
    """Synonyms and PO-text phrasings that indicate this category (zero-shot evidence)."""


@dataclass
class Taxonomy:
    """An immutable-by-convention tree of categories keyed by code."""

    categories: dict[str, Category]
    source: str = "taxonomy"
    _children: dict[str, list[str]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._children = {}
        for category in self.categories.values():
            if category.parent is not None:
                self._children.setdefault(category.parent, []).append(category.code)

    def __len__(self) -> int:
        return len(self.categories)

    def __contains__(self, code: object) -> bool:
        return code in self.categories

    def get(self, code: str) -> Category:
        try:
            return self.categories[code]
        except KeyError:
            raise TaxonomyError(f"{self.source}: unknown category code {code!r}") from None

    def children(self, code: str) -> list[str]:
        return list(self._children.get(code, ()))

    @property
    def max_depth(self) -> int:
        return max((c.depth for c in self.categories.values()), default=-1)

    def ancestors(self, code: str) -> list[Category]:
        """The category's ancestors, nearest first."""
        found = []
        parent = self.get(code).parent
        while parent is not None:
            category = self.get(parent)
            found.append(category)
            parent = category.parent
        return found

    def roll_up(self, code: str, depth: int) -> str:
        """The ancestor-or-self at `depth`; a node shallower than `depth` is its own answer."""
        category = self.get(code)
        while category.depth > depth and category.parent is not None:
            category = self.get(category.parent)
        return category.code

    def with_terms(self, terms: Mapping[str, Iterable[str]]) -> Taxonomy:
        """A copy whose categories carry these extra zero-shot terms (unknown codes are an error)."""
        unknown = sorted(set(terms) - set(self.categories))
        if unknown:
            raise TaxonomyError(f"{self.source}: terms given for unknown codes {', '.join(unknown[:5])}")
        updated = {
            code: replace(c, terms=c.terms + tuple(terms.get(code, ())))
            for code, c in self.categories.items()
        }
        return Taxonomy(updated, self.source)


def _read_rows(path: Path, required: tuple[str, ...]) -> list[dict[str, str]]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            header = [name.strip() for name in reader.fieldnames or []]
            missing = [name for name in required if name not in header]
            if not header:
                raise TaxonomyError(f"{path}: empty file, expected a header {','.join(required)}")
            if missing:
                raise TaxonomyError(
                    f"{path}: missing column(s) {', '.join(missing)} (found {', '.join(header)})"
                )
            reader.fieldnames = header
            rows = [{k: (v or "").strip() for k, v in row.items() if k is not None} for row in reader]
    except UnicodeDecodeError as exc:
        raise TaxonomyError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise TaxonomyError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if not rows:
        raise TaxonomyError(f"{path}: no categories")
    return rows


_WIDE_LEVELS = ("Segment", "Family", "Class", "Commodity")


def _wide_rows(path: Path) -> list[dict[str, str]] | None:
    """Rows of a one-line-per-commodity UNSPSC export (``Commodity Code<TAB>Commodity Title<TAB>
    Class Code ...``, as published with O*NET), flattened to code/title rows; None otherwise."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            first = handle.readline()
            if "Commodity Code" not in first:
                return None
            handle.seek(0)
            reader = csv.DictReader(handle, delimiter="\t" if "\t" in first else ",")
            seen: dict[str, str] = {}
            for number, row in enumerate(reader, start=2):
                for level in _WIDE_LEVELS:
                    code = (row.get(f"{level} Code") or "").strip()
                    title = (row.get(f"{level} Title") or "").strip()
                    if not code or not title:
                        raise TaxonomyError(f"{path}: row {number}: empty {level} code or title")
                    seen.setdefault(code, title)
    except UnicodeDecodeError as exc:
        raise TaxonomyError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise TaxonomyError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if not seen:
        raise TaxonomyError(f"{path}: no categories")
    return [{"code": code, "title": title} for code, title in seen.items()]


def load_taxonomy(path: str | Path) -> Taxonomy:
    """Read ``code,title[,parent_code]`` (UNSPSC codes may leave the parent to the digits), or a
    wide UNSPSC export with code and title columns for all four levels on each commodity row."""
    path = Path(path)
    rows = _wide_rows(path) if path.is_file() else None
    rows = rows if rows is not None else _read_rows(path, ("code", "title"))
    all_unspsc = all(_UNSPSC.match(row["code"]) for row in rows)
    raw: dict[str, tuple[str, str | None]] = {}
    for number, row in enumerate(rows, start=2):
        code, title = row["code"], row["title"]
        if not code or not title:
            raise TaxonomyError(f"{path}: row {number}: code and title must not be empty")
        if code in raw:
            raise TaxonomyError(f"{path}: row {number}: duplicate code {code!r}")
        parent = row.get("parent_code") or None
        if parent is None and all_unspsc:
            parent = unspsc_parent(code)
        raw[code] = (title, parent)
    if all_unspsc:
        # a UNSPSC file may skip a level (a class listed without its family): attach it to the
        # nearest listed ancestor so the tree stays connected
        for code, (title, parent) in list(raw.items()):
            while parent is not None and parent not in raw:
                parent = unspsc_parent(parent)
            raw[code] = (title, parent)
    categories: dict[str, Category] = {}
    for code in raw:
        depth, seen, parent = 0, {code}, raw[code][1]
        while parent is not None:
            if parent not in raw:
                raise TaxonomyError(f"{path}: category {code!r} has unknown parent_code {parent!r}")
            if parent in seen:
                raise TaxonomyError(f"{path}: parent_code cycle through {code!r}")
            seen.add(parent)
            depth += 1
            parent = raw[parent][1]
        if depth >= len(LEVELS):
            raise TaxonomyError(f"{path}: category {code!r} is deeper than {len(LEVELS)} levels")
        if all_unspsc:
            depth = unspsc_depth(code)
        categories[code] = Category(code, raw[code][0], raw[code][1], depth)
    return Taxonomy(categories, str(path))


def load_terms(path: str | Path) -> dict[str, list[str]]:
    """Read ``code,terms`` where terms are separated by ``;``."""
    path = Path(path)
    rows = _read_rows(path, ("code", "terms"))
    terms: dict[str, list[str]] = {}
    for row in rows:
        terms.setdefault(row["code"], []).extend(t.strip() for t in row["terms"].split(";") if t.strip())
    return terms


def load_abbreviations(path: str | Path) -> dict[str, str]:
    """Read ``abbreviation,expansion`` (lower-cased)."""
    rows = _read_rows(Path(path), ("abbreviation", "expansion"))
    return {row["abbreviation"].lower(): row["expansion"].lower() for row in rows if row["abbreviation"]}


def map_company_taxonomy(company: Taxonomy, reference: Taxonomy, mapping_path: str | Path) -> Taxonomy:
    """Company categories enriched with the titles and terms of the UNSPSC nodes mapped onto them.

    The mapping CSV has ``company_code,unspsc_code`` (several rows per company code allowed).
    """
    path = Path(mapping_path)
    rows = _read_rows(path, ("company_code", "unspsc_code"))
    extra: dict[str, list[str]] = {}
    for number, row in enumerate(rows, start=2):
        code, target = row["company_code"], row["unspsc_code"]
        if code not in company:
            raise TaxonomyError(f"{path}: row {number}: unknown company category {code!r}")
        if target not in reference:
            raise TaxonomyError(f"{path}: row {number}: unknown UNSPSC code {target!r}")
        node = reference.get(target)
        extra.setdefault(code, []).extend((node.title, *node.terms))
        for child in reference.children(target):
            extra[code].extend((reference.get(child).title, *reference.get(child).terms))
    return company.with_terms(extra)


TAXONOMY_DIR = fixture_path("taxonomy")
DEFAULT_TAXONOMY = TAXONOMY_DIR / "unspsc_default.csv"
DEFAULT_TERMS = TAXONOMY_DIR / "unspsc_default_terms.csv"
DEFAULT_ABBREVIATIONS = TAXONOMY_DIR / "abbreviations.csv"


def default_taxonomy() -> Taxonomy:
    """The shipped UNSPSC segment/family taxonomy with its PO-text terms."""
    return load_taxonomy(DEFAULT_TAXONOMY).with_terms(load_terms(DEFAULT_TERMS))
