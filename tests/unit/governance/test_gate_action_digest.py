"""Action digests are stable across key order, whitespace and number spelling (property tests)."""

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
    """Equivalent number spellings: Decimal('1.50') vs 1.5 vs scientific notation."""
    if isinstance(value, Decimal):
        return Decimal(format(value, "E"))
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, dict):
            return {k: respell(v) for k, v in value.items()}
        if isinstance(value, list):
            return [respell(v) for v in value]
        return value
    return Decimal(value).quantize(Decimal("0.00"))


@settings(max_examples=200, deadline=None)
@given(params=st.dictionaries(st.text(max_size=8), json_values, max_size=5), seed=st.integers(0, 50))
def test_digest_stable_under_key_order_and_number_spelling(params: dict[str, Any], seed: int) -> None:
    base = Action(agent="a", system="s", operation="erp.x", business_key="k", params=params)
    variant = Action(
        agent="a", system="s", operation="erp.x", business_key="k", params=respell(shuffle_keys(params, seed))
    )
    assert base.digest == variant.digest


@settings(max_examples=200, deadline=None)
@given(params=st.dictionaries(st.text(max_size=8), json_values, max_size=5))
def test_canonical_json_is_valid_compact_json(params: dict[str, Any]) -> None:
    text = canonical_json(params)
    json.loads(text)  # parses as JSON
    assert canonical_json(json.loads(text, parse_float=Decimal)) == text


@settings(max_examples=200, deadline=None)
@given(
    a=st.decimals(allow_nan=False, allow_infinity=False, places=2),
    b=st.decimals(allow_nan=False, allow_infinity=False, places=2),
)
def test_different_amounts_give_different_digests(a: Decimal, b: Decimal) -> None:
    x = Action(agent="a", system="s", operation="erp.x", business_key="k", amount=a)
    y = Action(agent="a", system="s", operation="erp.x", business_key="k", amount=b)
    assert (x.digest == y.digest) == (a == b)


def test_every_field_is_covered_by_the_digest() -> None:
    base = Action(
        agent="a", system="s", operation="erp.x", business_key="k", amount=Decimal("1"), currency="EUR"
    )
    changes = {
        "agent": "b",
        "system": "t",
        "operation": "erp.y",
        "target": "x",
        "params": {"p": 1},
        "amount": Decimal("1.01"),
        "currency": "USD",
        "counterparty": "c",
        "business_key": "k2",
        "requested_by": "h",
    }
    digests = {base.model_copy(update={field: value}).digest for field, value in changes.items()}
    assert base.digest not in digests and len(digests) == len(changes)


def test_non_json_params_and_non_finite_amounts_are_rejected() -> None:
    with pytest.raises(ValidationError):
        Action(agent="a", system="s", operation="erp.x", business_key="k", params={"x": object()})
    with pytest.raises(ValidationError):
        Action(agent="a", system="s", operation="erp.x", business_key="k", amount=Decimal("NaN"))
    with pytest.raises(ValidationError):
        Action(agent="a", system="s", operation="Drop Table", business_key="k")
