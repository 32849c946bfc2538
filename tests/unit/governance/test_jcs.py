"""The fast RFC 8785 path writes exactly what the reference `rfc8785` encoder writes."""

from __future__ import annotations

from typing import Any

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from governance import jcs

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**53) + 1, max_value=2**53 - 1)
    | st.text()  # every code point, control characters and non-BMP included
    | st.floats(allow_nan=False, allow_infinity=False)
)
keys = st.text(max_size=8) | st.text(alphabet=st.characters(max_codepoint=127), max_size=8)
documents = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4),
    max_leaves=25,
)


@settings(max_examples=400)
@given(documents)
def test_fast_path_equals_the_reference_encoder(value: Any) -> None:
    assert jcs.dumps(value) == rfc8785.dumps(value)


def test_the_simple_shapes_take_the_fast_path() -> None:
    assert jcs._simple({"a": [1, "x\u2028\x7f\x01", None, True], "b": {"c": -(2**53) + 1}})
    assert not jcs._simple({"é": 1}) and not jcs._simple([1.5]) and not jcs._simple(2**53)


def test_what_the_reference_refuses_is_still_refused() -> None:
    with pytest.raises(rfc8785.CanonicalizationError):
        jcs.dumps({"a": "\ud800"})  # a lone surrogate
    with pytest.raises(rfc8785.IntegerDomainError):
        jcs.dumps(2**60)
