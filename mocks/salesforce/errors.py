"""The error a mock org raises: Salesforce's HTTP status, ``errorCode``, message and fields."""

from __future__ import annotations

from collections.abc import Iterable


class OrgError(Exception):
    """A refusal the mock renders as ``[{message, errorCode, fields}]`` with `status`."""

    def __init__(self, status: int, code: str, message: str, fields: Iterable[str] = ()) -> None:
        super().__init__(f"{code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.fields = list(fields)
