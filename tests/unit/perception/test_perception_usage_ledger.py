from __future__ import annotations

import json
from decimal import Decimal

from agents.perception.results import LLMUsage
from agents.perception.usage_ledger import record_llm_usage
from governance.ledger import Ledger
from governance.store import Store


def test_usage_lands_in_the_ledger_as_llm_usage_records(sqlite_url: str) -> None:
    ledger = Ledger(Store(sqlite_url))
    usages = [
        LLMUsage(
            model="openai:gpt-4o-mini",
            prompt_name="classify_text",
            prompt_version="1.0.0",
            input_tokens=812,
            output_tokens=31,
            cost=Decimal("0.000140"),
            outcome="invalid",
        ),
        LLMUsage(
            model="openai:gpt-4o-mini",
            prompt_name="classify_text",
            prompt_version="1.0.0",
            input_tokens=812,
            output_tokens=29,
            cost=Decimal("0.000139"),
        ),
    ]
    assert record_llm_usage(ledger, "MSG-1", usages, agent="intake") == 2
    records = ledger.records("MSG-1", kind="llm_usage")
    assert [r.agent for r in records] == ["intake", "intake"]
    payload = json.loads(records[0].payload_text)
    assert payload["model"] == "openai:gpt-4o-mini" and payload["prompt_version"] == "1.0.0"
    assert payload["input_tokens"] == 812 and payload["outcome"] == "invalid"
    assert Decimal(str(payload["cost"])) == Decimal("0.000140")
    assert ledger.verify().ok
