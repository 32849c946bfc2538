"""The error a mock org raises: Salesforce's HTTP status, ``errorCode``, message and fields."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any

from mocks.errors import MockError


class OrgError(MockError):
    """A refusal the mock renders as ``[{message, errorCode, fields}]`` with `status`."""

    def __init__(self, status: int, code: str, message: str, fields: Iterable[str] = ()) -> None:
        super().__init__(f"{code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.fields = list(fields)


def org_errors(handler: Callable[..., Any]) -> Callable[..., Any]:
    """Render an `OrgError` raised by a handler as Salesforce's error array (keeping ``fields``)."""
    from mocks.base import json_response

    @functools.wraps(handler)
    def answer(self: Any, request: Any, **params: str) -> Any:
        try:
            return handler(self, request, **params)
        except OrgError as exc:
            body = [{"message": exc.message, "errorCode": exc.code, "fields": exc.fields}]
            return json_response(body, exc.status)

    return answer
