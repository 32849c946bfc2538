"""Intake scenario cases in the shared replay format (docs/SCENARIOS.md).

`state` is optional for intake: every case runs against the sample customer base (the CRM
sample and the ERP sample company, in memory or in a vendor mock), and `state.erp.credit_memos`
can add earlier credits of the month. `input.messages` is the conversation, oldest first; `expected` is about
the last message.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from agents.errors import ScenarioError
from agents.intake.channels import parse_chat, parse_web_form
from agents.intake.messages import InboundMessage, parse_eml


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PriorCredit(_Strict):
    customer_id: str
    """The ERP customer number (= the CRM account number)."""
    order_number: str
    """As the customer quotes it (``SO-...``); the ERP's own number is looked up."""
    amount: Decimal = Field(gt=0)
    currency: str = Field(default="EUR", pattern=r"^[A-Z]{3}$")


class ERPState(_Strict):
    credit_memos: tuple[PriorCredit, ...] = ()
    """Credits already granted this month through the agent's governed path (they count against
    the per-customer monthly limit and reduce what is left to credit on the order)."""


class IntakeState(_Strict):
    erp: ERPState = ERPState()


class MessageInput(_Strict):
    channel: Literal["email", "chat", "web_form"]
    eml: str | None = None
    """Raw RFC 822 text (email); `eml_file` for a file relative to the scenario."""
    eml_file: str | None = None
    chat: dict[str, Any] | None = None
    form: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _one_payload(self) -> MessageInput:
        given = {
            "email": self.eml is not None or self.eml_file is not None,
            "chat": self.chat is not None,
            "web_form": self.form is not None,
        }
        if not given[self.channel] or sum(given.values()) != 1:
            raise ValueError(f"a {self.channel} message needs exactly its own payload")
        return self

    def parse(self, base: Path) -> InboundMessage:
        if self.channel == "email":
            raw = (
                (base / self.eml_file).read_bytes()
                if self.eml_file
                else (self.eml or "").encode("utf-8", "surrogateescape")
            )
            return parse_eml(raw)
        if self.channel == "chat":
            return parse_chat(self.chat)
        return parse_web_form(self.form)


class ScenarioInput(_Strict):
    messages: tuple[MessageInput, ...] = Field(min_length=1)


Outcome = Literal["resolved", "awaiting_customer", "routed", "escalated", "held", "failed"]


class Expected(_Strict):
    intent: str
    outcome: Outcome
    reasons: tuple[str, ...] = ()
    """Reason codes that must fire; the first must lead."""


class Scenario(_Strict):
    id: str
    agent: Literal["intake"] = "intake"
    description: str = ""
    tags: tuple[str, ...] = ()
    state: IntakeState = IntakeState()
    input: ScenarioInput
    expected: Expected
    base_dir: Path = Path(".")

    def messages(self) -> list[InboundMessage]:
        return [m.parse(self.base_dir) for m in self.input.messages]


def load_scenarios(path: str | Path) -> list[Scenario]:
    root = Path(path)
    if root.is_dir():
        files = sorted(p for p in root.rglob("*") if p.suffix in (".yaml", ".yml"))
    elif root.is_file():
        files = [root]
    else:
        raise ScenarioError(f"{root}: no such file or folder")
    cases: list[Scenario] = []
    seen: set[str] = set()
    for file in files:
        for case in _load_file(file):
            if case.id in seen:
                raise ScenarioError(f"{file}: case id {case.id!r} is used twice")
            seen.add(case.id)
            cases.append(case)
    return cases


def _load_file(file: Path) -> list[Scenario]:
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"{file}: cannot read: {exc}") from None
    if not isinstance(data, dict):
        raise ScenarioError(f"{file}: expected a mapping")
    raw_cases = data.get("cases", [data]) if "cases" in data else [data]
    if data.get("agent", "intake") != "intake":
        raise ScenarioError(f"{file}: agent {data.get('agent')!r} is not 'intake'")
    cases = []
    for index, raw in enumerate(raw_cases):
        try:
            cases.append(Scenario.model_validate({**raw, "base_dir": file.parent}))
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            ident = raw.get("id", index) if isinstance(raw, dict) else index
            raise ScenarioError(f"{file}: case {ident}: {where}: {first['msg']}") from None
    return cases
