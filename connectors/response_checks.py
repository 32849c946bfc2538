"""Is this answer usable? Body checks and error descriptions for `VendorHttp`.

Vendors answer with login pages, truncated bodies, the wrong content type, or a 200 whose JSON
says "error". These functions name the problem in words; `VendorHttp` turns the words into the
right error class for the request (a bad answer to a write leaves its outcome unknown).
"""

from __future__ import annotations

import json
import logging
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable
from typing import Any, Literal

import requests

__all__ = ["ErrorParser", "Expect", "describe_error", "find_body_problem", "looks_like_html"]

logger = logging.getLogger("opspack.connectors.http")

Expect = Literal["json", "empty", "xml", "any"]
ErrorParser = Callable[[requests.Response], "tuple[str, str | None] | None"]
NO_BODY_STATUSES = frozenset({204, 205, 304})
_SNIPPET = 160


def looks_like_html(response: requests.Response) -> bool:
    if "html" in response.headers.get("Content-Type", "").lower():
        return True
    head = response.content[:64].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html"))


def find_body_problem(
    response: requests.Response,
    expect: Expect,
    envelope_error: Callable[[Any], str | None] | None,
) -> tuple[str | None, Any]:
    """``(problem, decoded_json)``: the problem is None when the body is what `expect` asks for."""
    if expect in ("any", "empty") or (response.request is not None and response.request.method == "HEAD"):
        return None, None
    content_type = response.headers.get("Content-Type", "").lower()
    if not response.content:
        if response.status_code in NO_BODY_STATUSES:
            return None, None
        return f"empty body where {expect.upper()} was expected", None
    if expect == "xml":
        if "xml" not in content_type:
            return f"wrong content type {content_type or '(none)'!r} for XML", None
        try:
            ElementTree.fromstring(response.content)
        except ElementTree.ParseError:
            return "truncated or invalid XML", None
        return None, None
    if looks_like_html(response):
        return "HTML page where JSON was expected", None
    if content_type and "json" not in content_type:
        return f"wrong content type {content_type!r} where JSON was expected", None
    try:
        body = json.loads(response.content)
    except ValueError:
        return f"truncated or invalid JSON ({len(response.content)} bytes)", None
    if envelope_error is not None:
        problem = envelope_error(body)
        if problem:
            return f"error envelope in a {response.status_code}: {problem}", body
    return None, body


def describe_error(
    response: requests.Response, error_parser: ErrorParser | None, vendor: str
) -> tuple[str, str | None]:
    """``(message, vendor_code)`` for an error response, from the vendor's parser when it can."""
    reason = response.reason or "error"
    if error_parser is not None:
        try:
            parsed = error_parser(response)
        except Exception as exc:  # a broken error body must not hide the status
            logger.debug("%s error parser failed: %s", vendor, type(exc).__name__)
            parsed = None
        if parsed is not None:
            return parsed[0] or reason, parsed[1]
    if looks_like_html(response):
        return f"{reason} (HTML error page)", None
    snippet = response.text[:_SNIPPET].strip()
    return (f"{reason}: {snippet}" if snippet else reason), None
