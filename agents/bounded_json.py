"""JSON from untrusted input, bounded in nesting so a hostile document cannot crash a batch.

Shared by every agent that reads JSON someone else wrote (AP inbox invoices, intake chat
transcripts and web forms).
"""

from __future__ import annotations

import json
from typing import Any


def json_depth(value: Any) -> int:
    """Nesting depth of parsed JSON (a scalar is 0), computed without recursion."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children: Any = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        deepest = max(deepest, depth + 1)
        stack.extend((child, depth + 1) for child in children)
    return deepest


def loads_json_bounded(text: str | bytes, max_depth: int) -> Any:
    """`json.loads` that refuses nesting deeper than `max_depth` with `ValueError` (never a
    RecursionError): the C parser stops at the interpreter's recursion limit, the walk after it
    at `max_depth`. Malformed JSON raises `json.JSONDecodeError` (a `ValueError`) as usual."""
    try:
        value = json.loads(text)
    except RecursionError:
        raise ValueError(f"JSON is nested deeper than the limit of {max_depth} levels") from None
    depth = json_depth(value)
    if depth > max_depth:
        raise ValueError(f"JSON is nested {depth} levels deep, the limit is {max_depth}")
    return value
