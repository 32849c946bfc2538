"""The base every vendor mock builds on: routes, requests, responses, faults, auth and a request log.

A vendor mock is a `MockVendor` subclass that declares handlers with `route`::

    class ServiceNowMock(MockVendor):
        NAME = "servicenow"
        PREFIXES = ("/api/now", "/api/sn_sc", "/oauth_token.do")

        @route("GET", r"/api/now/table/(?P<table>\\w+)")
        def list_records(self, request: MockRequest, table: str) -> MockResponse:
            return json_response({"result": [...]})

Handlers receive the `MockRequest` (plus the pattern's named groups as keyword arguments when
their signature accepts them; they are always in ``request.path_params``), run under the mock's
lock, and return a `MockResponse` (a dict or list becomes a JSON 200, None a 204). Raising
`MockHttpError` produces the vendor's error body through `error_response`. The same object is
served three ways (see `mocks.transport` and `mocks.server`), and a request no route serves is
answered with a 404 in the vendor's own error envelope (`error_response`) whose message names the
unserved method and path (header ``X-Mock-Route-Missing``), or raises `MockRouteMissing` (which
lists every route) in-process. A mock without its own envelope answers with the route listing.
"""

from __future__ import annotations

import inspect
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Self

from mocks.faults import Fault, FaultPlan
from mocks.messages import (
    MockConnectionDropped,
    MockHttpError,
    MockRequest,
    MockResponse,
    MockRouteMissing,
    QueryParams,
    empty_response,
    json_response,
    text_response,
)

__all__ = [
    "LoggedExchange",
    "MockConnectionDropped",
    "MockHttpError",
    "MockRequest",
    "MockResponse",
    "MockRouteMissing",
    "MockVendor",
    "QueryParams",
    "Route",
    "empty_response",
    "json_response",
    "route",
    "text_response",
]

_ROUTE_MARK = "__mock_routes__"


@dataclass(frozen=True)
class Route:
    """One declared handler."""

    method: str
    pattern: str
    regex: re.Pattern[str]
    handler: str
    """Attribute name of the handler method."""
    auth: bool
    """False for endpoints the vendor serves without credentials (token URLs, server info)."""
    params: frozenset[str] | None
    """Named groups passed to the handler as keyword arguments (None: all, it takes ``**kwargs``)."""

    def describe(self) -> str:
        return f"{self.method} {self.pattern}"


def route(
    method: str, pattern: str, *, auth: bool = True
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare a handler for ``METHOD`` + a path regex (matched in full, named groups → arguments)."""

    def mark(func: Callable[..., Any]) -> Callable[..., Any]:
        re.compile(pattern)
        marks: list[tuple[str, str, bool]] = getattr(func, _ROUTE_MARK, [])
        marks.append((method.upper(), pattern, auth))
        setattr(func, _ROUTE_MARK, marks)
        return func

    return mark


@dataclass(frozen=True)
class LoggedExchange:
    """One request the mock saw and how it answered (status None: connection dropped)."""

    request: MockRequest
    status: int | None
    fault: str | None = None
    route: str | None = None


def _accepted_params(func: Callable[..., Any], names: list[str]) -> frozenset[str] | None:
    parameters = inspect.signature(func).parameters.values()
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters):
        return None
    return frozenset(names) & {p.name for p in parameters}


class MockVendor:
    """Base of every vendor mock; see the module docstring."""

    NAME: ClassVar[str] = "mock"
    PREFIXES: ClassVar[tuple[str, ...]] = ()
    """Native path prefixes, distinct across vendors, used by `mocks.server` to dispatch."""
    ROUTES: ClassVar[tuple[Route, ...]] = ()
    MISSING_ROUTE_MESSAGE: ClassVar[str | None] = None
    """What the vendor itself says for a path it does not serve (``{path}``, ``{segment}`` and
    ``{method}`` are filled in); None: answer with the mock's route listing instead."""
    MISSING_ROUTE_CODE: ClassVar[str | None] = None
    """The error code passed to `error_response` for unserved paths (None: the vendor's 404 code)."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        routes: dict[tuple[str, str], Route] = {}
        for klass in reversed(cls.__mro__):
            for attr, value in vars(klass).items():
                for method, pattern, auth in getattr(value, _ROUTE_MARK, []):
                    regex = re.compile(pattern)
                    routes[(method, pattern)] = Route(
                        method=method,
                        pattern=pattern,
                        regex=regex,
                        handler=attr,
                        auth=auth,
                        params=_accepted_params(value, list(regex.groupindex)),
                    )
        cls.ROUTES = tuple(routes.values())

    def __init__(self) -> None:
        self.lock = threading.RLock()
        """Held while a handler runs; take it when inspecting state from another thread."""
        self.faults = FaultPlan()
        self.log: list[LoggedExchange] = []
        """Every exchange, oldest first (see `calls`)."""
        self.log_limit: int | None = None
        """Keep only the newest this many exchanges (`mocks.server` sets it for long runs)."""

    @classmethod
    def from_fixtures(cls, path: str | Path | None = None) -> Self:
        """A mock seeded from `path` (vendor mocks read ``fixtures/<vendor>/``); the base starts empty."""
        return cls()

    # -- vendor hooks -----------------------------------------------------------------------------

    def authenticate(self, request: MockRequest) -> MockResponse | None:
        """Check credentials; return an error answer to refuse the request, None to accept it."""
        return None

    def error_response(self, status: int, message: str, code: str | None = None) -> MockResponse:
        """The vendor's error body; vendor mocks override this with their wire format."""
        error: dict[str, Any] = {"message": message}
        if code:
            error["code"] = code
        return json_response({"error": error}, status)

    def rate_limit_headers(
        self, request: MockRequest, *, limited: bool, retry_after: float
    ) -> dict[str, str]:
        """Headers describing the rate limit; vendors add their own (``X-Rate-Limit-*``...)."""
        return {"Retry-After": str(max(0, round(retry_after)))} if limited else {}

    # -- dispatch ---------------------------------------------------------------------------------

    def routes(self) -> list[str]:
        """``METHOD pattern`` of every route, for listings and error messages."""
        return [r.describe() for r in self.ROUTES]

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        for candidate in self.ROUTES:
            if candidate.method == method.upper():
                found = candidate.regex.fullmatch(path)
                if found is not None:
                    return candidate, {k: v for k, v in found.groupdict().items() if v is not None}
        return None

    def missing_route_response(self, method: str, path: str) -> MockResponse:
        """The vendor's 404 for an unserved route, its message naming the method and path."""
        headers = {"X-Mock-Route-Missing": "1"}
        if self.MISSING_ROUTE_MESSAGE is not None:
            segment = path.rstrip("/").rsplit("/", 1)[-1]
            said = self.MISSING_ROUTE_MESSAGE.format(method=method, path=path, segment=segment)
            message = f"{said} ({self.NAME} mock has no route for {method} {path})"
            response = self.error_response(404, message, self.MISSING_ROUTE_CODE)
            response.headers.update(headers)
            return response
        body = {
            "error": f"{self.NAME} mock has no route for {method} {path}",
            "vendor": self.NAME,
            "routes": self.routes(),
        }
        return json_response(body, 404, headers)

    def handle(self, request: MockRequest, *, strict: bool = False) -> MockResponse:
        """Answer one request: route, faults, auth, handler. Raises `MockConnectionDropped` for drops.

        With `strict`, an unserved request raises `MockRouteMissing` instead of answering 404.
        """
        matched = self.match(request.method, request.path)
        if matched is None:
            self._record(request, 404, None, None)
            if strict:
                raise MockRouteMissing(self.NAME, request.method, request.path, self.routes())
            return self.missing_route_response(request.method, request.path)
        chosen, params = matched
        request.path_params = params
        fault = self.faults.decide(request.method, request.path, chosen.pattern)
        try:
            response = self._answer(request, chosen, params, fault)
        except MockConnectionDropped:
            self._record(request, None, "drop", chosen)
            raise
        self._record(request, response.status, fault.kind if fault else None, chosen)
        return response

    def _answer(
        self, request: MockRequest, chosen: Route, params: dict[str, str], fault: Fault | None
    ) -> MockResponse:
        if fault is not None and fault.kind == "5xx":
            return self._with_limits(request, self.error_response(fault.status, "service unavailable"))
        if fault is not None and fault.kind == "429":
            response = self.error_response(429, "rate limit exceeded", "RATE_LIMIT")
            response.headers.update(
                self.rate_limit_headers(request, limited=True, retry_after=fault.retry_after)
            )
            return response
        if fault is not None and fault.kind == "drop" and not fault.after_state_change:
            raise MockConnectionDropped(self.NAME, request.method, request.path, after_state_change=False)
        response = self._run_handler(request, chosen, params)
        if fault is not None and fault.kind == "drop":
            raise MockConnectionDropped(self.NAME, request.method, request.path, after_state_change=True)
        if fault is not None and fault.kind == "latency":
            response.delay = fault.delay
        if fault is not None and fault.kind == "slow_body":
            response.body_delay = fault.delay
        return self._with_limits(request, response)

    def _run_handler(self, request: MockRequest, chosen: Route, params: dict[str, str]) -> MockResponse:
        handler = getattr(self, chosen.handler)
        try:
            with self.lock:
                if chosen.auth:
                    refusal = self.authenticate(request)
                    if refusal is not None:
                        return refusal
                if chosen.params is not None:
                    params = {k: v for k, v in params.items() if k in chosen.params}
                result = handler(request, **params)
        except MockHttpError as exc:
            response = self.error_response(exc.status, exc.message, exc.code)
            response.headers.update(exc.headers)
            return response
        if isinstance(result, MockResponse):
            return result
        if result is None:
            return empty_response()
        return json_response(result)

    def _with_limits(self, request: MockRequest, response: MockResponse) -> MockResponse:
        for name, value in self.rate_limit_headers(request, limited=False, retry_after=0).items():
            response.headers.setdefault(name, value)
        return response

    def _record(
        self, request: MockRequest, status: int | None, fault: str | None, chosen: Route | None
    ) -> None:
        with self.lock:
            self.log.append(LoggedExchange(request, status, fault, chosen.describe() if chosen else None))
            if self.log_limit is not None and len(self.log) > self.log_limit:
                del self.log[: len(self.log) - self.log_limit]

    # -- inspection and other transports ---------------------------------------------------------

    def calls(self, method: str | None = None, path: str | None = None) -> list[LoggedExchange]:
        """Logged exchanges, filtered by method and by a regex searched in the path."""
        with self.lock:
            entries = list(self.log)
        return [
            e
            for e in entries
            if (method is None or e.request.method == method.upper())
            and (path is None or re.search(path, e.request.path))
        ]
