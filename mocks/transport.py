"""Serving a mock in-process: as a `requests` transport adapter or through `responses`.

`MockTransportAdapter` is mounted on a caller's `requests.Session` for one base URL (no global
patching), which is exactly the seam `VendorHttp` exposes. Injected drops surface as
`requests.ConnectionError`; a delay longer than the read timeout surfaces as
`requests.ReadTimeout` after the handler ran (so the outcome of a write is really unknown). The
`sleep` used for latency is injectable, so tests can make it instant.
"""

from __future__ import annotations

import http.client
import io
import time
from collections.abc import Callable, Mapping
from email.message import Message
from http import HTTPStatus
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

import requests
from requests.adapters import BaseAdapter
from requests.cookies import extract_cookies_to_jar
from requests.structures import CaseInsensitiveDict
from requests.utils import get_encoding_from_headers
from urllib3 import HTTPHeaderDict
from urllib3.response import HTTPResponse

from mocks.base import MockConnectionDropped, MockRequest, MockResponse, MockVendor, QueryParams

if TYPE_CHECKING:
    import responses

__all__ = ["MockTransportAdapter", "mount_mocks", "register_with_responses", "to_mock_request"]

_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def _body_bytes(body: Any) -> bytes:
    if body is None:
        return b""
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode("utf-8")
    if hasattr(body, "read"):
        data = body.read()
        return data if isinstance(data, bytes) else str(data).encode("utf-8")
    return b"".join(chunk if isinstance(chunk, bytes) else str(chunk).encode("utf-8") for chunk in body)


def _text(value: str | bytes) -> str:
    return value.decode("latin-1") if isinstance(value, bytes) else value


def to_mock_request(request: requests.PreparedRequest, base_path: str = "") -> MockRequest:
    """Translate a prepared request into what the mock sees (path relative to `base_path`)."""
    parts = urlsplit(request.url or "")
    path = unquote(parts.path) or "/"
    prefix = base_path.rstrip("/")
    if prefix and (path == prefix or path.startswith(prefix + "/")):
        path = path[len(prefix) :] or "/"
    return MockRequest(
        method=request.method or "GET",
        path=path,
        query=QueryParams(parts.query),
        headers={_text(k): _text(v) for k, v in request.headers.items()},
        body=_body_bytes(request.body),
    )


class _OriginalResponse:
    """Just enough of `http.client.HTTPResponse` for cookie extraction."""

    def __init__(self, items: list[tuple[str, str]]) -> None:
        self.msg = http.client.HTTPMessage()
        for name, value in items:
            self.msg[name] = value

    def info(self) -> Message:
        return self.msg

    def isclosed(self) -> bool:
        return True

    def close(self) -> None:
        return None


def build_response(request: requests.PreparedRequest, answer: MockResponse) -> requests.Response:
    """A `requests.Response` for `answer`, with cookies and raw set like a real adapter would."""
    body = answer.body_bytes()
    items = answer.header_items()
    response = requests.Response()
    response.status_code = answer.status
    try:
        response.reason = HTTPStatus(answer.status).phrase
    except ValueError:
        response.reason = "Unknown"
    headers: CaseInsensitiveDict[str] = CaseInsensitiveDict()
    for name, value in items:
        headers[name] = (
            f"{headers[name]}, {value}" if name in headers and name.lower() != "set-cookie" else value
        )
    response.headers = headers
    response.encoding = get_encoding_from_headers(headers)
    response.url = request.url or ""
    response.request = request
    raw_headers = HTTPHeaderDict()
    for name, value in items:
        raw_headers.add(name, value)
    response.raw = HTTPResponse(
        body=io.BytesIO(body),
        headers=raw_headers,
        status=answer.status,
        preload_content=False,
        original_response=_OriginalResponse(items),  # type: ignore[arg-type]
    )
    response._content = body
    response._content_consumed = True  # type: ignore[attr-defined]
    extract_cookies_to_jar(response.cookies, request, response.raw)
    return response


class MockTransportAdapter(BaseAdapter):
    """A `requests` adapter answering from a `MockVendor` instead of the network."""

    def __init__(
        self,
        mock: MockVendor,
        *,
        base_path: str = "",
        sleep: Callable[[float], None] = time.sleep,
        strict: bool = True,
    ) -> None:
        super().__init__()
        self.mock = mock
        self.base_path = base_path
        self.sleep = sleep
        self.strict = strict
        """Raise `MockRouteMissing` for unserved requests (instead of the listing 404)."""

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: float | tuple[float, float] | tuple[float, None] | None = None,
        verify: bool | str = True,
        cert: bytes | str | tuple[bytes | str, bytes | str] | None = None,
        proxies: Mapping[str, str] | None = None,
    ) -> requests.Response:
        try:
            answer = self.mock.handle(to_mock_request(request, self.base_path), strict=self.strict)
        except MockConnectionDropped as exc:
            raise requests.ConnectionError(
                http.client.RemoteDisconnected(str(exc)), request=request
            ) from None
        delay = answer.delay + answer.body_delay
        read_timeout = timeout[1] if isinstance(timeout, tuple) else timeout
        if read_timeout is not None and delay > read_timeout:
            self.sleep(read_timeout)
            raise requests.ReadTimeout(
                f"{self.mock.NAME} mock answered after {delay:.2f}s, beyond the {read_timeout}s read timeout",
                request=request,
            )
        if delay > 0:
            self.sleep(delay)
        return build_response(request, answer)

    def close(self) -> None:
        return None


def mount_mocks(
    session: requests.Session,
    mocks: Mapping[str, MockVendor],
    *,
    sleep: Callable[[float], None] = time.sleep,
    strict: bool = True,
) -> requests.Session:
    """Mount one `MockTransportAdapter` per ``{base_url: mock}`` on `session` and return it."""
    for base_url, mock in mocks.items():
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"mock base URL must be absolute http(s), got {base_url!r}")
        adapter = MockTransportAdapter(mock, base_path=parts.path, sleep=sleep, strict=strict)
        session.mount(base_url.rstrip("/") + "/", adapter)
    return session


def register_with_responses(
    mock: MockVendor,
    rsps: responses.RequestsMock,
    base_url: str,
    *,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """Answer every request under `base_url` in `rsps` (a `responses.RequestsMock`) from `mock`.

    A callback is registered for every HTTP method, so create the `RequestsMock` with
    ``assert_all_requests_are_fired=False``. Drops raise `requests.ConnectionError`, unserved
    requests `MockRouteMissing`; delays use `sleep`.
    """
    import re

    base = base_url.rstrip("/")
    base_path = urlsplit(base).path

    def callback(request: requests.PreparedRequest) -> tuple[int, list[tuple[str, str]], bytes]:
        try:
            answer = mock.handle(to_mock_request(request, base_path), strict=True)
        except MockConnectionDropped as exc:
            raise requests.ConnectionError(
                http.client.RemoteDisconnected(str(exc)), request=request
            ) from None
        if answer.delay + answer.body_delay > 0:
            sleep(answer.delay + answer.body_delay)
        return answer.status, answer.header_items(), answer.body_bytes()

    pattern = re.compile(re.escape(base) + r"(?:[/?#].*)?$")
    for method in _METHODS:
        rsps.add_callback(method, pattern, callback=callback)  # type: ignore[arg-type]
