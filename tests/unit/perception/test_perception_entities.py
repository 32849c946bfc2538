from __future__ import annotations

import pytest

from agents.perception.entities import CatalogueMatcher, IdPattern, find_emails, find_person_names

APPS = ["Salesforce", "Workday", "SAP GUI", "Power BI", "Adobe Acrobat", "Jira"]


def test_catalogue_resolves_spelling_variants() -> None:
    matcher = CatalogueMatcher(APPS)
    assert matcher.best("salesforce")[0] == "Salesforce"  # type: ignore[index]
    assert matcher.best("Sales force")[0] == "Salesforce"  # type: ignore[index]
    assert matcher.best("PowerBI")[0] == "Power BI"  # type: ignore[index]
    assert matcher.best("Excel") is None


def test_catalogue_finds_mentions_with_spans() -> None:
    text = "I can't open Workdya or sap gui since Monday"
    found = CatalogueMatcher(APPS).find(text)
    names = {c.value for c in found}
    assert names == {"Workday", "SAP GUI"}
    for candidate in found:
        assert text[candidate.start : candidate.end] == candidate.matched
        assert 0.85 <= candidate.confidence <= 1.0


def test_empty_catalogue_is_an_error() -> None:
    with pytest.raises(ValueError, match="at least one name"):
        CatalogueMatcher([])


def test_emails_are_normalised() -> None:
    found = find_emails("Contact Jane.Doe@Example.com please")
    assert [c.value for c in found] == ["jane.doe@example.com"]
    assert found[0].matched == "Jane.Doe@Example.com"


def test_id_patterns_extract_groups() -> None:
    pattern = IdPattern(r"\b(ord-\d{6})\b")
    found = pattern.find("where is ord-102934?")
    assert [(c.value, c.matched) for c in found] == [("ORD-102934", "ord-102934")]


def test_person_names_from_signatures_and_introductions() -> None:
    text = "Hi, my name is Priya Patel and my laptop is broken.\nKind regards,\nPriya Patel"
    assert {c.value for c in find_person_names(text)} == {"Priya Patel"}


def test_person_names_checked_against_a_directory() -> None:
    directory = ["Priya Patel", "James Smith"]
    found = find_person_names("Thanks,\nJames Smth", directory)
    assert [c.value for c in found] == ["James Smith"]
    assert find_person_names("Regards, Nobody Known", directory) == []
