"""Taxonomies load from CSV: UNSPSC by digits or explicit parents; bad files name the problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from agents.procurement.errors import TaxonomyError
from agents.procurement.taxonomy import (
    default_taxonomy,
    level_index,
    load_taxonomy,
    map_company_taxonomy,
    unspsc_depth,
    unspsc_parent,
)


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_text(text, encoding=encoding)
    return path


def test_unspsc_digits_give_depth_and_parent() -> None:
    assert [unspsc_depth(c) for c in ("43000000", "43210000", "43211500", "43211503")] == [0, 1, 2, 3]
    assert unspsc_parent("43211503") == "43211500"
    assert unspsc_parent("43211500") == "43210000"
    assert unspsc_parent("43000000") is None


def test_unspsc_file_without_parent_column_builds_the_tree(tmp_path: Path) -> None:
    taxonomy = load_taxonomy(
        write(
            tmp_path / "t.csv",
            "code,title\n43000000,IT\n43210000,Computer equipment\n43211503,Notebook computers\n",
        )
    )
    # the commodity's class (43211500) is not listed: it hangs off the nearest listed ancestor
    assert taxonomy.get("43211503").parent == "43210000"
    assert taxonomy.get("43211503").depth == 3
    assert taxonomy.roll_up("43211503", 0) == "43000000"
    assert taxonomy.roll_up("43211503", 1) == "43210000"


def test_company_tree_with_parent_codes(tmp_path: Path) -> None:
    taxonomy = load_taxonomy(
        write(
            tmp_path / "c.csv",
            "code,title,parent_code\nIT,Information technology,\nIT-HW,Hardware,IT\nIT-SW,Software,IT\n",
        )
    )
    assert taxonomy.get("IT-HW").depth == 1
    assert taxonomy.children("IT") == ["IT-HW", "IT-SW"]
    assert [a.code for a in taxonomy.ancestors("IT-SW")] == ["IT"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty file"),
        ("code,name\n1,x\n", "missing column(s) title"),
        ("code,title,parent_code\nA,a,B\n", "unknown parent_code 'B'"),
        ("code,title,parent_code\nA,a,B\nB,b,A\n", "cycle"),
        ("code,title,parent_code\nA,a,\nA,b,\n", "duplicate code 'A'"),
        ("code,title\n", "no categories"),
    ],
)
def test_bad_taxonomy_files_raise_a_named_error(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(TaxonomyError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_taxonomy(write(tmp_path / "bad.csv", text))


def test_mis_encoded_taxonomy(tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes("code,title\n1,Bürobedarf\n".encode("latin-1"))
    with pytest.raises(TaxonomyError, match="not UTF-8"):
        load_taxonomy(path)


def test_default_taxonomy_covers_segments_and_families() -> None:
    taxonomy = default_taxonomy()
    segments = [c for c in taxonomy.categories.values() if c.depth == 0]
    families = [c for c in taxonomy.categories.values() if c.depth == 1]
    assert len(segments) >= 40 and len(families) >= 120
    assert taxonomy.get("43000000").title == "Information Technology Broadcasting and Telecommunications"
    assert taxonomy.get("43230000").title == "Software"
    assert all(c.parent == c.code[:2] + "000000" for c in families)
    assert "laptop" in taxonomy.get("43210000").terms


def test_company_categories_mapped_onto_unspsc_inherit_terms(tmp_path: Path) -> None:
    company = load_taxonomy(
        write(tmp_path / "c.csv", "code,title,parent_code\nOPS,Operations,\nOPS-IT,Digital workplace,OPS\n")
    )
    mapped = map_company_taxonomy(
        company, default_taxonomy(), write(tmp_path / "m.csv", "company_code,unspsc_code\nOPS-IT,43210000\n")
    )
    assert "laptop" in mapped.get("OPS-IT").terms
    with pytest.raises(TaxonomyError, match="unknown UNSPSC code '99999999'"):
        map_company_taxonomy(
            company, default_taxonomy(), write(tmp_path / "x.csv", "company_code,unspsc_code\nOPS,99999999\n")
        )


def test_level_names() -> None:
    assert level_index("family") == 1
    with pytest.raises(TaxonomyError, match="unknown level 'leaf'"):
        level_index("leaf")
