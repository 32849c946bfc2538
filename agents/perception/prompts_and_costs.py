"""Versioned prompt files and the LLM cost table.

Prompts live as YAML files under ``agents/perception/prompts/`` with a name and a version; the
version travels with every LLM call into the ledger. The cost table (YAML, price per million
tokens per model) turns token counts into money for usage records.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from agents.perception.errors import PromptError

PROMPT_DIR = Path(__file__).resolve().parent / "prompts"
DEFAULT_COST_TABLE = Path(__file__).resolve().parent / "costs.yaml"


@dataclass(frozen=True)
class PromptTemplate:
    """A system + user message pair with named ``{placeholders}``."""

    name: str
    version: str
    system: str
    user: str

    def render(self, **values: str) -> tuple[str, str]:
        try:
            return self.system.format(**values), self.user.format(**values)
        except KeyError as exc:
            raise PromptError(f"prompt {self.name}@{self.version} needs a value for {exc.args[0]!r}") from exc


def load_prompt(name_or_path: str | Path) -> PromptTemplate:
    """Load ``prompts/<name>.yaml`` (or a file path) and check it has name, version, system, user."""
    path = Path(name_or_path)
    if not path.suffix:
        path = PROMPT_DIR / f"{name_or_path}.yaml"
    try:
        raw: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise PromptError(f"{path}: cannot read prompt ({exc})") from exc
    if not isinstance(raw, dict):
        raise PromptError(f"{path}: a prompt file is a mapping with name, version, system, user")
    missing = [key for key in ("name", "version", "system", "user") if not isinstance(raw.get(key), str)]
    if missing:
        raise PromptError(f"{path}: missing or non-text {', '.join(missing)}")
    return PromptTemplate(raw["name"], raw["version"], raw["system"], raw["user"])


@dataclass(frozen=True)
class ModelPrice:
    input_per_million: Decimal
    output_per_million: Decimal


@dataclass(frozen=True)
class CostTable:
    """Prices by model name; `cost` is None for models without a price."""

    currency: str
    prices: dict[str, ModelPrice]

    @classmethod
    def load(cls, path: str | Path = DEFAULT_COST_TABLE) -> CostTable:
        try:
            raw: Any = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise PromptError(f"{path}: cannot read cost table ({exc})") from exc
        if not isinstance(raw, dict) or not isinstance(raw.get("models"), dict):
            raise PromptError(f"{path}: a cost table has 'currency' and a 'models' mapping")
        prices = {}
        for model, entry in raw["models"].items():
            try:
                prices[str(model)] = ModelPrice(
                    Decimal(str(entry["input_per_million"])), Decimal(str(entry["output_per_million"]))
                )
            except (KeyError, TypeError, ArithmeticError) as exc:
                raise PromptError(
                    f"{path}: model {model!r} needs input_per_million and output_per_million"
                ) from exc
        return cls(str(raw.get("currency", "USD")), prices)

    def cost(self, model: str, input_tokens: int, output_tokens: int) -> Decimal | None:
        price = self.prices.get(model)
        if price is None:
            return None
        total = (price.input_per_million * input_tokens + price.output_per_million * output_tokens) / Decimal(
            1_000_000
        )
        return total.quantize(Decimal("0.000001"))
