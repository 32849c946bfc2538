"""The messages a mock exchanges: requests, responses, and the exceptions that stand in for them.

Kept apart from `mocks.base` so the routing and fault machinery stays small; `mocks.base`
re-exports every name here, which is where vendor mocks import them from.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from mocks.errors import MockError

__all__ = [
    "MockConnectionDropped",
    "MockHttpError",
    "MockRequest",
    "MockResponse",
    "MockRouteMissing",
    "QueryParams",
    "empty_response",
    "json_response",
    "text_response",
]


class MockHttpError(MockError):
    """Raised by a handler to answer with the vendor's error body (`MockVendor.error_response`)."""

    def __init__(
        self, status: int, message: str, *, code: str | None = None, headers: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(f"{status} {message}")
        self.status = status
        self.message = message
        self.code = code
        self.headers = dict(headers or {})


class MockRouteMissing(MockError, LookupError):
    """No route of the mock serves this request; the message lists the routes it does serve."""

    def __init__(self, vendor: str, method: str, path: str, routes: list[str]) -> None:
        listing = "\n  ".join(routes) or "(none)"
        super().__init__(f"{vendor} mock has no route for {method} {path}; it serves:\n  {listing}")
        self.vendor = vendor
        self.method = method
        self.path = path
        self.routes = routes


class MockConnectionDropped(MockError):
    """An injected ``drop`` fault: the connection closes without an answer."""

    def __init__(self, vendor: str, method: str, path: str, *, after_state_change: bool) -> None:
        when = "after" if after_state_change else "before"
        super().__init__(
            f"{vendor} mock dropped the connection {when} handling {method} {path} (injected fault)"
        )
        self.after_state_change = after_state_change


class QueryParams(Mapping[str, str]):
    """A query string as a multi-dict: ``q["k"]`` is the first value, `getlist` gives them all."""

    def __init__(self, raw: str | Mapping[str, list[str]] = "") -> None:
        self._values: dict[str, list[str]] = (
            parse_qs(raw, keep_blank_values=True)
            if isinstance(raw, str)
            else {k: list(v) for k, v in raw.items()}
        )

    def __getitem__(self, key: str) -> str:
        return self._values[key][0]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def getlist(self, key: str) -> list[str]:
        return list(self._values.get(key, []))

    def __repr__(self) -> str:
        return f"QueryParams({self._values!r})"


class _Headers(dict[str, str]):
    """Case-insensitive header mapping (keys stored lower-case)."""

    def __init__(self, items: Mapping[str, str] | None = None) -> None:
        super().__init__({k.lower(): v for k, v in (items or {}).items()})

    def __getitem__(self, key: str) -> str:
        return super().__getitem__(key.lower())

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and super().__contains__(key.lower())

    def get(self, key: str, default: Any = None) -> Any:
        return super().get(key.lower(), default)


@dataclass
class MockRequest:
    """What a handler sees of one HTTP request."""

    method: str
    path: str
    """URL path relative to the vendor's root, percent-decoded, without the query string."""
    query: QueryParams = field(default_factory=QueryParams)
    headers: Mapping[str, str] = field(default_factory=_Headers)
    """Case-insensitive."""
    body: bytes = b""
    path_params: dict[str, str] = field(default_factory=dict)
    """Named groups of the matched route pattern."""

    def __post_init__(self) -> None:
        self.method = self.method.upper()
        if not isinstance(self.headers, _Headers):
            self.headers = _Headers(self.headers)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def origin(self, fallback: str) -> str:
        """``scheme://host[:port]`` the client used (from ``Host`` and the served scheme), else `fallback`.

        `mocks.server` sets ``X-Forwarded-Proto`` to the scheme it serves, so links the mock builds
        (``Location``, ``Link``, ``@odata.nextLink``) stay on ``https://`` behind ``--tls``.
        """
        host = self.headers.get("Host")
        if not host:
            return fallback
        scheme = (self.headers.get("X-Forwarded-Proto") or "http").lower()
        return f"{'https' if scheme == 'https' else 'http'}://{host}"

    def json(self) -> Any:
        """The decoded JSON body; a malformed body answers 400 in the vendor's error format."""
        if not self.body:
            raise MockHttpError(400, "request body is empty; JSON expected")
        try:
            return json.loads(self.body)
        except json.JSONDecodeError as exc:
            raise MockHttpError(400, f"malformed JSON body: {exc.msg}") from None
        except UnicodeDecodeError:
            raise MockHttpError(400, "request body is not UTF-8 JSON") from None

    def form(self) -> QueryParams:
        """The body as ``application/x-www-form-urlencoded`` fields (token endpoints)."""
        return QueryParams(self.text)


@dataclass
class MockResponse:
    """What a handler answers."""

    status: int = 200
    body: bytes | str | None = b""
    headers: dict[str, str] = field(default_factory=dict)
    cookies: dict[str, str] = field(default_factory=dict)
    """Sent as one ``Set-Cookie`` header each (SAP session cookies)."""
    delay: float = 0.0
    """Seconds before the answer starts (``latency`` fault)."""
    body_delay: float = 0.0
    """Seconds over which the body trickles in (``slow_body`` fault)."""

    def body_bytes(self) -> bytes:
        if self.body is None:
            return b""
        return self.body.encode("utf-8") if isinstance(self.body, str) else self.body

    def header_items(self) -> list[tuple[str, str]]:
        """All headers, including one ``Set-Cookie`` per cookie."""
        items = list(self.headers.items())
        items.extend(
            ("Set-Cookie", f"{name}={value}; Path=/; HttpOnly") for name, value in self.cookies.items()
        )
        return items


def json_response(data: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> MockResponse:
    """A JSON answer (``Content-Type: application/json`` unless `headers` says otherwise)."""
    merged = {"Content-Type": "application/json", **(headers or {})}
    return MockResponse(status, json.dumps(data, separators=(",", ":"), default=str), merged)


def text_response(
    text: str, status: int = 200, content_type: str = "text/plain", headers: Mapping[str, str] | None = None
) -> MockResponse:
    """A text answer: XML metadata, an HTML error page..."""
    return MockResponse(status, text, {"Content-Type": f"{content_type}; charset=utf-8", **(headers or {})})


def empty_response(status: int = 204, headers: Mapping[str, str] | None = None) -> MockResponse:
    return MockResponse(status, b"", dict(headers or {}))
