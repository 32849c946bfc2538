"""RFC 8785 (JSON Canonicalization Scheme) bytes, fast for the common case.

`rfc8785.dumps` is the reference encoder, written in Python. For data made only of objects with
ASCII keys, arrays, strings, booleans, null and integers within +-(2**53 - 1) -- what action
digests hold (amounts are decimal strings) -- the standard library's C encoder with sorted keys,
compact separators and ``ensure_ascii=False`` produces the very same bytes: JCS sorts keys by
UTF-16 code units (the same order as code points for ASCII), escapes exactly ``"``, ``\\`` and
the control characters (``\\b \\t \\n \\f \\r``, else ``\\u00xx`` in lower case) and writes
integers in plain decimal. Anything else (floats, non-ASCII keys, lone surrogates) goes to
`rfc8785.dumps`. A property test (tests/unit/governance/test_jcs.py) pins the equality.
"""

from __future__ import annotations

import json
from typing import Any

import rfc8785

_SAFE_INT = 2**53 - 1
_encode = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode


def _simple(value: Any) -> bool:
    """Whether the standard encoder writes `value` exactly as JCS does."""
    kind = type(value)
    if kind is str or kind is bool or value is None:
        return True
    if kind is int:
        return -_SAFE_INT <= value <= _SAFE_INT
    if kind is dict:
        return all(type(k) is str and k.isascii() and _simple(v) for k, v in value.items())
    if kind is list:
        return all(_simple(item) for item in value)
    return False


def dumps(value: Any) -> bytes:
    """The RFC 8785 canonical bytes of `value` (as `rfc8785.dumps`, several times faster)."""
    if _simple(value):
        try:
            return _encode(value).encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate: let the reference encoder refuse it
            pass
    return rfc8785.dumps(value)
