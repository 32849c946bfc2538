"""The gate: default deny, exact boundaries, aggregate limits, SoD, tiers, approval coverage."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from governance.action import Action
from governance.gate import (
    Context,
    Decision,
    Reason,
    SodQuery,
    Verdict,
    approval_covers,
    evaluate,
    required_aggregates,
    required_sod_facts,
)
from governance.policy import Policy, load_policy, parse_policy

EXAMPLE = Path(__file__).resolve().parents[3] / "fixtures" / "policy.yaml"
NOW = datetime(2026, 11, 24, 15, 30, tzinfo=UTC)
POLICY = load_policy(EXAMPLE)


def payment(amount: Decimal | str, **overrides: Any) -> Action:
    """A payment whose amount, currency and vendor are in its parameters, where the gate reads them."""
    money = {
        "amount": str(amount),
        "currency": overrides.pop("currency", "EUR"),
        "vendor_id": overrides.pop("counterparty", "V100"),
    }
    fields: dict[str, Any] = {
        "agent": "ap_clerk",
        "system": "sap",
        "operation": "erp.schedule_payment",
        "target": "INV-1",
        "params": {"payment_date": "2026-12-01", "bank_accounts": [], **money},
        "business_key": "V100/INV-1",
    }
    fields.update(overrides)
    return Action(**fields)


def ctx(policy: Policy = POLICY, **kw: Any) -> Context:
    return Context(policy=policy, now=NOW, **kw)


def test_cap_is_inclusive_one_cent_more_is_held() -> None:
    assert evaluate(payment("10000.00"), ctx()).decision is Decision.EXECUTE
    held = evaluate(payment("10000.01"), ctx())
    assert held.decision is Decision.HOLD
    assert held.codes == [Reason.OVER_THRESHOLD.value]
    assert held.route is not None and held.route.queue == "ap-controllers"


@settings(max_examples=300, deadline=None)
@given(cents=st.integers(min_value=1, max_value=100_000_000))
def test_threshold_boundary_property(cents: int) -> None:
    amount = Decimal(cents) / 100
    verdict = evaluate(payment(amount), ctx())
    cap = Decimal("10000.00")
    if amount <= cap:
        assert verdict.decision is Decision.EXECUTE
    elif amount <= Decimal("1000000.00"):
        assert verdict.decision is Decision.HOLD and Reason.OVER_THRESHOLD.value in verdict.codes
    else:
        assert verdict.decision is Decision.DENY and verdict.codes == [Reason.HARD_LIMIT.value]


@settings(max_examples=300, deadline=None)
@given(
    spent=st.integers(min_value=0, max_value=6_000_000),
    cents=st.integers(min_value=1, max_value=1_000_000),
)
def test_aggregate_boundary_property(spent: int, cents: int) -> None:
    action = payment(Decimal(cents) / 100)
    keys = [k for k in required_aggregates(action, POLICY, NOW) if k.name == "payments_per_vendor_per_day"]
    assert len(keys) == 1
    total = Decimal(spent) / 100
    verdict = evaluate(action, ctx(totals={keys[0]: total}))
    over = total + action.amount > Decimal("50000")  # type: ignore[operator]
    assert (Reason.AGGREGATE_LIMIT.value in verdict.codes) is over


def test_aggregate_keys_are_per_counterparty_and_calendar_day() -> None:
    keys = {k.name: k for k in required_aggregates(payment("1"), POLICY, NOW)}
    daily = keys["payments_per_vendor_per_day"]
    assert daily.per_value == "v100"  # canonical: V100, v100 and "V100 " are one bucket
    assert daily.window_start == datetime(2026, 11, 24, tzinfo=UTC)
    assert keys["actions_per_hour"].window_start == datetime(2026, 11, 24, 15, tzinfo=UTC)
    assert keys["actions_per_hour"].per_value == "ap_clerk"


def test_count_limit_inclusive() -> None:
    action = Action(
        agent="service_desk",
        system="okta",
        operation="directory.reset_password",
        target="jsmith",
        business_key="INC1",
    )
    key = next(k for k in required_aggregates(action, POLICY, NOW) if k.name == "resets_per_user_per_day")
    assert evaluate(action, ctx(totals={key: Decimal(2)})).decision is Decision.EXECUTE
    assert Reason.AGGREGATE_LIMIT.value in evaluate(action, ctx(totals={key: Decimal(3)})).codes


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"agent": "ghost"}, Reason.UNKNOWN_AGENT),
        ({"system": "oracle"}, Reason.UNKNOWN_SYSTEM),
        ({"system": "okta", "operation": "directory.reset_password"}, Reason.OUT_OF_SCOPE),
        ({"operation": "erp.update_vendor"}, Reason.OUT_OF_SCOPE),
        ({"system": "salesforce", "operation": "crm.read"}, Reason.OUT_OF_SCOPE),
    ],
)
def test_default_deny(overrides: dict[str, Any], code: Reason) -> None:
    verdict = evaluate(payment("1", **overrides), ctx())
    assert verdict.decision is Decision.DENY
    assert verdict.codes == [code.value]


def test_kill_switches_deny_everything() -> None:
    data = POLICY.model_dump(mode="json")
    data["agents"]["ap_clerk"]["kill_switch"] = True
    assert evaluate(payment("1"), ctx(parse_policy(data))).codes == [Reason.KILL_SWITCH.value]
    data = POLICY.model_dump(mode="json")
    data["settings"]["kill_switch"] = True
    assert evaluate(payment("1"), ctx(parse_policy(data))).codes == [Reason.GLOBAL_KILL_SWITCH.value]


def test_tiers() -> None:
    data = POLICY.model_dump(mode="json")
    data["agents"]["ap_clerk"]["autonomy"]["classes"]["erp.schedule_payment"] = "shadow"
    shadow = evaluate(payment("99999"), ctx(parse_policy(data)))
    assert shadow.decision is Decision.SHADOW
    data["agents"]["ap_clerk"]["autonomy"]["classes"]["erp.schedule_payment"] = "hitl"
    assert evaluate(payment("1"), ctx(parse_policy(data))).codes == [Reason.TIER_HITL.value]
    assert evaluate(payment("1"), ctx()).codes == [Reason.TIER_HOTL.value]


def test_currency_mismatch_is_held_not_converted_without_a_rates_table() -> None:
    data = POLICY.model_dump(mode="json")
    data["settings"]["exchange_rates"] = {"base": "EUR", "rates": {}}
    verdict = evaluate(payment("5", currency="USD"), ctx(parse_policy(data)))
    assert verdict.decision is Decision.HOLD
    assert Reason.CURRENCY_MISMATCH.value in verdict.codes


def test_other_currencies_are_judged_through_the_policy_caps_and_rates() -> None:
    # example policy: payment cap 10 000 EUR, USD worth 0.92 EUR -> cap 10 869.57 USD
    assert evaluate(payment("10800", currency="USD"), ctx()).codes == [Reason.TIER_HOTL.value]
    over = evaluate(payment("10900", currency="USD"), ctx())
    assert over.decision is Decision.HOLD and Reason.OVER_THRESHOLD.value in over.codes
    # per-currency cap wins over the rates table for GBP postings (20 000 GBP)
    post = payment("19999", currency="GBP").model_copy(update={"operation": "erp.post_invoice"})
    assert Reason.OVER_THRESHOLD.value not in evaluate(post, ctx()).codes


def test_maker_checker_and_approver_rights() -> None:
    action = payment("20000", requested_by="bob")
    assert Reason.MAKER_CHECKER.value in evaluate(action, ctx(approver="bob")).codes
    assert Reason.APPROVER_NOT_AUTHORISED.value in evaluate(action, ctx(approver="carol")).codes
    assert (
        evaluate(action, ctx(approver="alice")).decision is Decision.HOLD
    )  # still over cap: approval covers it


def test_sod_bank_change_blocks_payment_approval() -> None:
    action = payment("20000")
    queries = required_sod_facts(action, POLICY, NOW)
    assert [q.rule for q in queries] == ["bank_change_blocks_payment_approval"]
    facts: dict[SodQuery, frozenset[str]] = {queries[0]: frozenset({"alice"})}
    verdict = evaluate(action, ctx(approver="alice", sod_facts=facts))
    assert verdict.decision is Decision.DENY
    assert verdict.codes == [Reason.SOD_CONFLICT.value]
    assert evaluate(action, ctx(approver="bob", sod_facts=facts)).decision is Decision.HOLD


def test_approval_covers_only_the_reasons_it_was_given_for() -> None:
    action = payment("20000")
    requested = evaluate(action, ctx())
    assert approval_covers(requested, evaluate(action, ctx(approver="alice")))
    key = next(k for k in required_aggregates(action, POLICY, NOW) if k.name == "payments_per_vendor_per_day")
    later = evaluate(action, ctx(approver="alice", totals={key: Decimal("40000")}))
    assert not approval_covers(requested, later)  # the aggregate limit is new since the request
    data = POLICY.model_dump(mode="json")
    data["version_label"] = "changed"
    assert not approval_covers(requested, evaluate(action, ctx(parse_policy(data), approver="alice")))


def test_gate_is_pure() -> None:
    action, context = payment("12345.67"), ctx()
    assert evaluate(action, context) == evaluate(action, context)


def test_verdict_round_trips_through_its_dict_form() -> None:
    held = evaluate(payment("20000"), ctx())
    assert held.route is not None and held.tier is not None
    assert Verdict.from_dict(held.as_dict()) == held
