"""Action digests (RFC 8785) are stable across key order and JSON number spelling, survive storage,
and cover every field and the policy version (property tests)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from governance.action import Action, canonical_json

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.text(max_size=12),
    st.decimals(allow_nan=False, allow_infinity=False, places=4, min_value=-(10**9), max_value=10**9),
)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=12,
)


def shuffle_keys(value: Any, seed: int) -> Any:
    if isinstance(value, dict):
        items = list(value.items())
        items = items[seed % (len(items) or 1) :] + items[: seed % (len(items) or 1)]
        return {k: shuffle_keys(v, seed + 1) for k, v in reversed(items)}
    if isinstance(value, list):
        return [shuffle_keys(v, seed + 1) for v in value]
    return value


def respell(value: Any) -> Any:
    """Equivalent JSON number spellings: the integer 2 and the float 2.0 are one JSON number."""
    if isinstance(value, dict):
        return {k: respell(v) for k, v in value.items()}
    if isinstance(value, list):
        return [respell(v) for v in value]
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


@settings(max_examples=200, deadline=None)
@given(params=st.dictionaries(st.text(max_size=8), json_values, max_size=5), seed=st.integers(0, 50))
def test_digest_stable_under_key_order_and_number_spelling(params: dict[str, Any], seed: int) -> None:
    base = Action(agent="a", system="s", operation="erp.x", business_key="k", params=params)
    variant = Action(
        agent="a", system="s", operation="erp.x", business_key="k", params=respell(shuffle_keys(params, seed))
    )
    assert base.digest_for("v1") == variant.digest_for("v1")
    assert base.digest_for("v1") != base.digest_for("v2")  # the policy version is covered


@settings(max_examples=200, deadline=None)
@given(params=st.dictionaries(st.text(max_size=8), json_values, max_size=5))
def test_digest_survives_storage_as_json(params: dict[str, Any]) -> None:
    action = Action(agent="a", system="s", operation="erp.x", business_key="k", params=params)
    stored = Action.model_validate_json(action.model_dump_json())
    assert stored.digest_for("v") == action.digest_for("v")


@settings(max_examples=200, deadline=None)
@given(params=st.dictionaries(st.text(max_size=8), json_values, max_size=5))
def test_canonical_json_is_valid_compact_json(params: dict[str, Any]) -> None:
    text = canonical_json(params)
    json.loads(text)  # parses as JSON
    assert canonical_json(json.loads(text, parse_float=Decimal)) == text


def pay(amount: Decimal | str, **params: Any) -> Action:
    money = {"amount": str(amount), "currency": "EUR", "vendor_id": "V1", "payment_date": "2026-12-01"}
    return Action(
        agent="a", system="s", operation="erp.schedule_payment", business_key="k", params=money | params
    )


@settings(max_examples=200, deadline=None)
@given(
    a=st.decimals(allow_nan=False, allow_infinity=False, places=2),
    b=st.decimals(allow_nan=False, allow_infinity=False, places=2),
)
def test_different_amounts_give_different_digests(a: Decimal, b: Decimal) -> None:
    assert (pay(a).digest_for("v") == pay(b).digest_for("v")) == (a == b)


def test_every_field_is_covered_by_the_digest() -> None:
    base = pay("1")
    changes = {
        "agent": "b",
        "system": "t",
        "operation": "erp.y",
        "target": "x",
        "params": pay("1", note="x").params,
        "amount": pay("1.01").params,
        "currency": pay("1", currency="USD").params,
        "counterparty": pay("1", vendor_id="V2").params,
        "business_key": "k2",
        "requested_by": "h",
    }
    digests = {
        base.model_copy(
            update={"params" if field in ("amount", "currency", "counterparty") else field: value}
        ).digest_for("v")
        for field, value in changes.items()
    }
    assert base.digest_for("v") not in digests and len(digests) == len(changes)


def test_declared_money_must_be_what_the_parameters_say() -> None:
    with pytest.raises(ValidationError, match="disagrees with what is written"):
        Action(agent="a", system="s", operation="erp.x", business_key="k", amount=Decimal("1"))
    with pytest.raises(ValidationError, match="disagrees with what is written"):
        Action.model_validate(pay("100").model_dump() | {"amount": Decimal("99")})
    assert pay("100").model_copy(update={"params": pay("250").params}).amount == Decimal("250")


def test_non_json_params_and_non_finite_amounts_are_rejected() -> None:
    with pytest.raises(ValidationError):
        Action(agent="a", system="s", operation="erp.x", business_key="k", params={"x": object()})
    with pytest.raises(ValidationError):
        pay("NaN")
    with pytest.raises(ValidationError):
        Action(agent="a", system="s", operation="Drop Table", business_key="k")
