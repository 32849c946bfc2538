from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from agents.perception.errors import PromptError
from agents.perception.prompts_and_costs import PROMPT_DIR, CostTable, load_prompt


@pytest.mark.parametrize("path", sorted(PROMPT_DIR.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_shipped_prompt_is_named_and_versioned(path: Path) -> None:
    prompt = load_prompt(path)
    assert prompt.name == path.stem
    assert prompt.version.count(".") == 2
    assert "{text}" in prompt.user


def test_rendering_needs_every_placeholder() -> None:
    with pytest.raises(PromptError, match="needs a value for 'catalogue'"):
        load_prompt("classify_text").render(domain="x", text="y")


def test_malformed_prompt_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nsystem: hi\n")
    with pytest.raises(PromptError, match="version"):
        load_prompt(bad)


def test_cost_table_prices_tokens(tmp_path: Path) -> None:
    table = tmp_path / "costs.yaml"
    table.write_text('currency: EUR\nmodels:\n  "acme:m1": {input_per_million: 1, output_per_million: 3}\n')
    costs = CostTable.load(table)
    assert costs.currency == "EUR"
    assert costs.cost("acme:m1", 1_000_000, 500_000) == Decimal("2.500000")
    assert costs.cost("acme:unknown", 10, 10) is None


def test_malformed_cost_table(tmp_path: Path) -> None:
    table = tmp_path / "costs.yaml"
    table.write_text("models:\n  m: {input_per_million: 1}\n")
    with pytest.raises(PromptError, match="output_per_million"):
        CostTable.load(table)


def test_default_cost_table_loads() -> None:
    assert CostTable.load().cost("fake-oracle", 1000, 100) == Decimal("0.003500")
