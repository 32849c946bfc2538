"""Reading HubSpot's error bodies for `VendorHttp`.

Errors are ``{"status": "error", "message", "correlationId", "category", "subCategory"?, "errors"?}``;
the category (``VALIDATION_ERROR``, ``OBJECT_NOT_FOUND``, ``CONFLICT``, ``RATE_LIMITS``...) is
kept as the error code, and the correlation id goes into the message for HubSpot support.
"""

from __future__ import annotations

from typing import Any

import requests


def parse_error(response: requests.Response) -> tuple[str, str | None] | None:
    try:
        body = response.json()
    except ValueError:
        return None
    if not isinstance(body, dict) or "message" not in body:
        return None
    message = str(body["message"])
    if body.get("correlationId"):
        message += f" (correlationId {body['correlationId']})"
    category = body.get("category") or body.get("errorType")
    return message, str(category) if category else None


def envelope_error(body: Any) -> str | None:
    """A 2xx whose body is an error envelope (``"status": "error"``) is not a success."""
    if isinstance(body, dict) and body.get("status") == "error":
        return str(body.get("message") or "status=error with no message")
    return None
