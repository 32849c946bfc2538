"""Reading Salesforce's error bodies for `VendorHttp`.

REST errors are a JSON array ``[{"message", "errorCode", "fields"}]``; the OAuth token endpoint
answers ``{"error", "error_description"}``; a create that failed inside a 2xx says
``{"success": false, "errors": [...]}``.
"""

from __future__ import annotations

from typing import Any

import requests


def parse_error(response: requests.Response) -> tuple[str, str | None] | None:
    """(message, errorCode) from a Salesforce error response, or None if the body is not one."""
    try:
        body = response.json()
    except ValueError:
        return None
    return describe(body)


def envelope_error(body: Any) -> str | None:
    """A problem description when a successful status carries an error body."""
    if isinstance(body, dict) and body.get("success") is False:
        found = describe(body.get("errors") or [])
        return found[0] if found else "success=false with no errors listed"
    if (
        isinstance(body, list)
        and body
        and all(isinstance(item, dict) and "errorCode" in item for item in body)
    ):
        found = describe(body)
        return found[0] if found else None
    return None


def describe(body: Any) -> tuple[str, str | None] | None:
    if isinstance(body, dict) and "error" in body:  # OAuth endpoint
        return str(body.get("error_description") or body["error"]), str(body["error"])
    if not isinstance(body, list) or not body:
        return None
    messages, code = [], None
    for item in body:
        if not isinstance(item, dict):
            continue
        text = str(item.get("message") or "")
        fields = item.get("fields") or []
        if fields:
            text += f" [fields: {', '.join(map(str, fields))}]"
        messages.append(text)
        code = code or (str(item["errorCode"]) if item.get("errorCode") else None)
    return ("; ".join(messages) or "error", code) if messages else None
