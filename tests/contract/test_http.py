"""Contract tests for `connectors.http.VendorHttp` and `connectors.pagination` against a tiny mock."""

from __future__ import annotations

import json
import logging
from collections import deque
from collections.abc import Callable
from typing import Any

import pytest
import requests
from hypothesis import given
from hypothesis import strategies as st
from urllib3.exceptions import MaxRetryError, NewConnectionError

from connectors import errors
from connectors.auth import BasicAuth
from connectors.http import RetryPolicy, VendorHttp
from connectors.live import LiveCallBlocked
from connectors.pagination import (
    follow_links,
    has_more_next_offset,
    is_last_page_next,
    iter_pages,
    link_header_next,
    next_records_url,
    odata_next_link,
    odata_v2_next,
    offset_pages,
    paging_next_after,
    start_at_next,
    total_count_header,
)
from mocks.base import MockRequest, MockResponse, MockVendor, json_response, route, text_response
from mocks.transport import mount_mocks

BASE = "https://tiny.mock"


class ScriptedMock(MockVendor):
    """Items store plus a scripted endpoint answering from a queue of canned responses."""

    NAME = "tiny"
    PREFIXES = ("/api",)

    def __init__(self) -> None:
        super().__init__()
        self.items: dict[str, dict[str, Any]] = {"a1": {"id": "a1", "name": "first"}}
        self.script: deque[MockResponse] = deque()

    def error_response(self, status: int, message: str, code: str | None = None) -> MockResponse:
        return json_response({"fault": {"text": message, "code": code or "E"}}, status)

    @route("GET", r"/api/items/(?P<item_id>[\w-]+)")
    def get_item(self, request: MockRequest, item_id: str) -> MockResponse:
        if item_id not in self.items:
            return self.error_response(404, f"no item {item_id}", "NOT_FOUND")
        return json_response(self.items[item_id])

    @route("POST", r"/api/items")
    def create_item(self, request: MockRequest) -> MockResponse:
        body = request.json()
        self.items[body["id"]] = body
        return json_response(body, 201)

    @route("GET", r"/api/scripted")
    @route("POST", r"/api/scripted")
    @route("PUT", r"/api/scripted")
    def scripted(self, request: MockRequest) -> MockResponse:
        return self.script.popleft()

    @route("GET", r"/api/pages")
    def pages(self, request: MockRequest) -> MockResponse:
        offset = int(request.query.get("offset", "0"))
        data = [{"n": i} for i in range(7)][offset : offset + 3]
        headers = {"X-Total-Count": "7"}
        if offset + 3 < 7:
            headers["Link"] = f'<{BASE}/api/pages?offset={offset + 3}>; rel="next"'
        return json_response({"result": data}, headers=headers)

    @route("GET", r"/api/loop")
    def loop(self, request: MockRequest) -> MockResponse:
        return json_response({"value": [1], "@odata.nextLink": f"{BASE}/api/loop?page=2"})


def parse_fault(response: requests.Response) -> tuple[str, str | None] | None:
    body = response.json()
    return body["fault"]["text"], body["fault"]["code"]


@pytest.fixture
def mock() -> ScriptedMock:
    return ScriptedMock()


@pytest.fixture
def waits() -> list[float]:
    return []


@pytest.fixture
def make_http(mock: ScriptedMock, waits: list[float]) -> Callable[..., VendorHttp]:
    def build(**kwargs: Any) -> VendorHttp:
        session = mount_mocks(requests.Session(), {BASE: mock}, sleep=lambda s: None)
        options: dict[str, Any] = {"session": session, "sleep": waits.append, "error_parser": parse_fault}
        options.update(kwargs)
        return VendorHttp("tiny", BASE, **options)

    return build


@pytest.fixture
def http(make_http: Callable[..., VendorHttp]) -> VendorHttp:
    return make_http()


def scripted(status: int, body: Any = None, headers: dict[str, str] | None = None) -> MockResponse:
    if body is None:
        return MockResponse(status, b"", dict(headers or {}))
    if isinstance(body, str | bytes):
        return MockResponse(status, body, dict(headers or {}))
    return json_response(body, status, headers)


# -- happy path and status mapping --------------------------------------------------------------------


def test_get_json_and_send_json_round_trip(http: VendorHttp, mock: ScriptedMock) -> None:
    assert http.get_json("/api/items/a1") == {"id": "a1", "name": "first"}
    created = http.send_json("POST", "/api/items", json={"id": "b2", "name": "second"})
    assert created == {"id": "b2", "name": "second"}
    assert mock.items["b2"]["name"] == "second"
    assert [e.request.method for e in mock.calls()] == ["GET", "POST"]


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (400, errors.RejectedError),
        (401, errors.AuthenticationError),
        (403, errors.AuthenticationError),
        (404, errors.NotFoundError),
        (409, errors.ConflictError),
        (422, errors.RejectedError),
    ],
)
def test_error_statuses_map_to_the_tree(
    http: VendorHttp, mock: ScriptedMock, status: int, expected: type[errors.ConnectorError]
) -> None:
    mock.script.append(scripted(status, {"fault": {"text": "vendor says no", "code": "X42"}}))
    with pytest.raises(expected) as caught:
        http.get_json("/api/scripted")
    assert caught.value.vendor == "tiny"
    assert caught.value.endpoint == "GET /api/scripted"
    assert caught.value.status == status
    assert caught.value.code == "X42"
    assert "tiny GET /api/scripted" in str(caught.value) and "vendor says no" in str(caught.value)


def test_not_found_uses_vendor_error_parser(http: VendorHttp) -> None:
    with pytest.raises(errors.NotFoundError, match="no item zz") as caught:
        http.get_json("/api/items/zz")
    assert isinstance(caught.value, errors.BusinessError)


def test_broken_error_parser_still_maps_the_status(
    make_http: Callable[..., VendorHttp], mock: ScriptedMock
) -> None:
    http = make_http(error_parser=lambda response: response.json()["missing"])
    mock.script.append(scripted(409, {"other": 1}))
    with pytest.raises(errors.ConflictError) as caught:
        http.get_json("/api/scripted")
    assert caught.value.status == 409


# -- retries --------------------------------------------------------------------------------------------


def test_idempotent_get_is_retried_on_5xx_with_urllib3_backoff(
    http: VendorHttp, mock: ScriptedMock, waits: list[float]
) -> None:
    mock.script.extend(
        [scripted(503, {"fault": {"text": "busy"}}), scripted(502, "bad gateway"), scripted(200, {"ok": 1})]
    )
    assert http.get_json("/api/scripted") == {"ok": 1}
    assert len(mock.calls("GET", "scripted")) == 3
    assert waits == [1.0]  # urllib3: first retry immediate, then backoff_factor * 2**1


def test_retries_give_up_with_server_error(http: VendorHttp, mock: ScriptedMock) -> None:
    mock.script.extend(scripted(500, {"fault": {"text": "down"}}) for _ in range(4))
    with pytest.raises(errors.ServerError) as caught:
        http.get_json("/api/scripted")
    assert caught.value.status == 500
    assert len(mock.calls("GET", "scripted")) == 4  # first try + RetryPolicy.total retries


def test_429_honours_retry_after(http: VendorHttp, mock: ScriptedMock, waits: list[float]) -> None:
    mock.script.extend(
        [scripted(429, {"fault": {"text": "slow down"}}, {"Retry-After": "3"}), scripted(200, {"ok": 2})]
    )
    assert http.get_json("/api/scripted") == {"ok": 2}
    assert waits == [3.0]


def test_429_beyond_the_cap_raises_rate_limited_at_once(
    make_http: Callable[..., VendorHttp], mock: ScriptedMock, waits: list[float]
) -> None:
    http = make_http(retry=RetryPolicy(max_retry_after=10))
    mock.script.append(scripted(429, {"fault": {"text": "daily limit"}}, {"Retry-After": "3600"}))
    with pytest.raises(errors.RateLimitedError) as caught:
        http.get_json("/api/scripted")
    assert caught.value.retry_after == 3600
    assert isinstance(caught.value, errors.RetriableError)
    assert waits == []


def test_okta_style_reset_header_is_a_wait_until(
    make_http: Callable[..., VendorHttp], mock: ScriptedMock, waits: list[float]
) -> None:
    http = make_http(clock=lambda: 1_700_000_000.0)
    mock.script.extend(
        [
            scripted(429, {"fault": {"text": "E0000047"}}, {"X-Rate-Limit-Reset": "1700000005"}),
            scripted(200, {}),
        ]
    )
    http.get_json("/api/scripted")
    assert waits == [5.0]


def test_hubspot_interval_header_sets_the_wait(
    http: VendorHttp, mock: ScriptedMock, waits: list[float]
) -> None:
    limited = {"X-HubSpot-RateLimit-Interval-Milliseconds": "1500", "X-HubSpot-RateLimit-Remaining": "0"}
    mock.script.extend([scripted(429, {"fault": {"text": "secondly"}}, limited), scripted(200, {})])
    http.get_json("/api/scripted")
    assert waits == [1.5]


def test_post_is_never_retried_and_5xx_means_outcome_unknown(http: VendorHttp, mock: ScriptedMock) -> None:
    mock.script.extend([scripted(503, {"fault": {"text": "busy"}}), scripted(201, {"id": "x"})])
    with pytest.raises(errors.OutcomeUnknownError) as caught:
        http.send_json("POST", "/api/scripted", json={"a": 1})
    assert caught.value.status == 503
    assert len(mock.calls("POST", "scripted")) == 1


def test_post_429_is_rate_limited_without_retry(
    http: VendorHttp, mock: ScriptedMock, waits: list[float]
) -> None:
    mock.script.append(scripted(429, {"fault": {"text": "slow"}}, {"Retry-After": "1"}))
    with pytest.raises(errors.RateLimitedError):
        http.send_json("POST", "/api/scripted", json={})
    assert waits == [] and len(mock.calls("POST")) == 1


def test_explicitly_idempotent_post_is_retried(http: VendorHttp, mock: ScriptedMock) -> None:
    mock.script.extend([scripted(503, {"fault": {"text": "busy"}}), scripted(200, {"found": []})])
    assert http.send_json("POST", "/api/scripted", json={"q": 1}, idempotent=True) == {"found": []}


def test_dropped_write_is_outcome_unknown_and_not_resent(http: VendorHttp, mock: ScriptedMock) -> None:
    mock.faults.add(r"/api/items$", kinds=("drop",), seed=3)
    outcomes = []
    for n in range(20):
        with pytest.raises(errors.OutcomeUnknownError):
            http.send_json("POST", "/api/items", json={"id": f"d{n}"})
        outcomes.append(f"d{n}" in mock.items)
    assert len(mock.calls("POST")) == 20  # one attempt per write, never re-sent
    assert any(outcomes) and not all(outcomes)  # some drops came after the state change, some before


def test_dropped_read_is_retried(http: VendorHttp, mock: ScriptedMock) -> None:
    mock.faults.add(r"/api/items/", kinds=("drop",), times=2)
    assert http.get_json("/api/items/a1")["id"] == "a1"
    assert len(mock.calls("GET")) == 3


def test_read_timeout_on_a_write_is_outcome_unknown(
    make_http: Callable[..., VendorHttp], mock: ScriptedMock
) -> None:
    http = make_http(timeout=(1, 2))
    mock.faults.add(r"/api/items$", kinds=("latency",), delay=5)
    with pytest.raises(errors.OutcomeUnknownError, match="ReadTimeout"):
        http.send_json("POST", "/api/items", json={"id": "late"})
    assert "late" in mock.items  # the vendor did apply it: only a reconcile can tell


def test_read_timeout_on_a_read_exhausts_into_transport_error(
    make_http: Callable[..., VendorHttp], mock: ScriptedMock
) -> None:
    http = make_http(timeout=(1, 2), retry=RetryPolicy(total=1))
    mock.faults.add(r"/api/items/", kinds=("slow_body",), delay=5)
    with pytest.raises(errors.TransportError):
        http.get_json("/api/items/a1")
    assert len(mock.calls("GET")) == 2


class RefusingOnceAdapter(requests.adapters.BaseAdapter):
    """Refuses the first connection (nothing sent), then hands over to the real mock adapter."""

    def __init__(self, inner: requests.adapters.BaseAdapter) -> None:
        super().__init__()
        self.inner = inner
        self.refused = 0

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        if self.refused == 0:
            self.refused += 1
            reason = NewConnectionError(None, "Connection refused")  # type: ignore[arg-type]
            raise requests.ConnectionError(MaxRetryError(None, request.url, reason), request=request)  # type: ignore[arg-type]
        return self.inner.send(request, *args, **kwargs)

    def close(self) -> None:
        return None


def test_refused_connection_is_retried_even_for_a_write(http: VendorHttp, mock: ScriptedMock) -> None:
    adapter = RefusingOnceAdapter(http.session.get_adapter(BASE + "/"))
    http.session.mount(BASE + "/", adapter)
    assert http.send_json("POST", "/api/items", json={"id": "r1"})["id"] == "r1"
    assert adapter.refused == 1 and len(mock.calls("POST")) == 1


# -- bad responses --------------------------------------------------------------------------------------

HTML_PAGE = "<!DOCTYPE html><html><head><title>Login</title></head><body>Sign in</body></html>"


@pytest.mark.parametrize(
    ("answer", "problem"),
    [
        (text_response(HTML_PAGE, content_type="text/html"), "HTML page"),
        (MockResponse(200, HTML_PAGE, {"Content-Type": "application/json"}), "HTML page"),
        (
            MockResponse(200, '{"result": [{"id": 1}, {"id"', {"Content-Type": "application/json"}),
            "truncated",
        ),
        (text_response("id,name\n1,x", content_type="text/csv"), "wrong content type"),
        (MockResponse(200, b"", {"Content-Type": "application/json"}), "empty body"),
    ],
)
def test_bad_responses_name_vendor_and_endpoint(
    http: VendorHttp, mock: ScriptedMock, answer: MockResponse, problem: str
) -> None:
    mock.script.append(answer)
    with pytest.raises(errors.BadResponseError, match=problem) as caught:
        http.get_json("/api/scripted")
    assert caught.value.vendor == "tiny" and caught.value.endpoint == "GET /api/scripted"
    assert str(caught.value).startswith("tiny GET /api/scripted:")


def test_error_envelope_in_a_200(make_http: Callable[..., VendorHttp], mock: ScriptedMock) -> None:
    def envelope(body: Any) -> str | None:
        return (
            body["error"]["message"] if isinstance(body, dict) and body.get("status") == "failure" else None
        )

    http = make_http(envelope_error=envelope)
    mock.script.append(scripted(200, {"status": "failure", "error": {"message": "ACL denied"}}))
    with pytest.raises(errors.BadResponseError, match="ACL denied"):
        http.get_json("/api/scripted")
    mock.script.append(scripted(200, {"status": "success"}))
    assert http.get_json("/api/scripted") == {"status": "success"}


def test_unreadable_answer_to_a_write_is_also_outcome_unknown(http: VendorHttp, mock: ScriptedMock) -> None:
    mock.script.append(text_response(HTML_PAGE, status=201, content_type="text/html"))
    with pytest.raises(errors.OutcomeUnknownError) as caught:
        http.send_json("POST", "/api/scripted", json={})
    assert isinstance(caught.value, errors.BadResponseError)


def test_xml_expectation(http: VendorHttp, mock: ScriptedMock) -> None:
    mock.script.append(
        text_response("<edmx:Edmx xmlns:edmx='x'><a/></edmx:Edmx>", content_type="application/xml")
    )
    assert http.request("GET", "/api/scripted", expect="xml").status_code == 200
    mock.script.append(text_response("<edmx:Edmx xmlns:edmx='x'><a>", content_type="application/xml"))
    with pytest.raises(errors.BadResponseError, match="truncated or invalid XML"):
        http.request("GET", "/api/scripted", expect="xml")


def test_no_content_is_fine_for_json_and_empty(http: VendorHttp, mock: ScriptedMock) -> None:
    mock.script.append(scripted(204))
    assert http.send_json("PUT", "/api/scripted", json={"a": 1}) is None
    mock.script.append(scripted(201, None, {"Location": f"{BASE}/api/items/9"}))
    response = http.request("POST", "/api/scripted", json={}, expect="empty")
    assert response.headers["Location"].endswith("/9")


def test_ok_status_narrows_success(http: VendorHttp, mock: ScriptedMock) -> None:
    mock.script.append(scripted(200, {"x": 1}))
    with pytest.raises(errors.BadResponseError, match="unexpected status"):
        http.request("GET", "/api/scripted", ok_status=(201,))


# -- secrets, live switch, configuration -------------------------------------------------------------


def test_secrets_never_reach_error_messages_or_logs(
    make_http: Callable[..., VendorHttp], mock: ScriptedMock, caplog: pytest.LogCaptureFixture
) -> None:
    password = "Tr0ub4dor&3-horse"
    http = make_http(auth=BasicAuth("svc_agent", password), error_parser=None)
    leak = f"Authorization: Basic c3ZjX2FnZW50OlRyMHViNGRvciYzLWhvcnNl password={password} and {password}"
    mock.script.extend(scripted(500, leak) for _ in range(4))
    with caplog.at_level(logging.DEBUG, logger="opspack"), pytest.raises(errors.ServerError) as caught:
        http.get_json("/api/scripted")
    text = str(caught.value) + caught.value.reason + caplog.text
    assert password not in text
    assert "c3ZjX2FnZW50" not in text
    assert "[redacted]" in str(caught.value)
    sent = mock.calls("GET")[0].request.headers["authorization"]
    assert sent == "Basic c3ZjX2FnZW50OlRyMHViNGRvciYzLWhvcnNl"
    assert "***" in repr(http.auth)


def test_live_call_switch_blocks_a_real_host(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPSPACK_NO_LIVE_CALLS", "1")
    sent: list[str] = []

    class Recorder(requests.adapters.BaseAdapter):
        def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
            sent.append(request.url or "")
            raise AssertionError("must not be reached")

        def close(self) -> None:
            return None

    session = requests.Session()
    session.mount("https://", Recorder())
    http = VendorHttp("servicenow", "https://acme.service-now.com", session=session)
    with pytest.raises(LiveCallBlocked, match=r"servicenow GET /api/now/table/incident"):
        http.get_json("/api/now/table/incident")
    assert sent == []


def test_absolute_urls_must_stay_on_the_connection_origin(http: VendorHttp) -> None:
    assert http.url_for(f"{BASE}/api/items/a1") == f"{BASE}/api/items/a1"
    with pytest.raises(errors.ConfigurationError, match="refusing to send credentials"):
        http.url_for("https://evil.mock/steal")


@pytest.mark.parametrize("base_url", ["servicenow.mock", "ftp://x.mock", "https://"])
def test_bad_base_url_is_a_configuration_error(base_url: str) -> None:
    with pytest.raises(errors.ConfigurationError, match="absolute http"):
        VendorHttp("servicenow", base_url)


def test_status_to_error_for_non_idempotent_5xx() -> None:
    error = errors.status_to_error(502, vendor="v", endpoint="PATCH /x", message="m", idempotent=False)
    assert type(error) is errors.OutcomeUnknownError
    assert type(errors.status_to_error(502, vendor="v", endpoint="GET /x", message="m")) is errors.ServerError


# -- pagination -----------------------------------------------------------------------------------------


def test_follow_links_over_link_headers(http: VendorHttp) -> None:
    items = list(
        follow_links(http, "/api/pages", next_link=link_header_next, items_of=lambda body: body["result"])
    )
    assert [i["n"] for i in items] == list(range(7))


def test_follow_links_refuses_a_loop(http: VendorHttp) -> None:
    with pytest.raises(errors.BadResponseError, match="repeats"):
        list(follow_links(http, "/api/loop", next_link=odata_next_link, items_of=lambda body: body["value"]))


def test_offset_pages_stops_on_total(http: VendorHttp, mock: ScriptedMock) -> None:
    def fetch(offset: int, limit: int) -> requests.Response:
        return http.request("GET", "/api/pages", params={"offset": offset, "limit": limit})

    items = list(
        offset_pages(fetch, lambda r: http.json_of(r)["result"], page_size=3, total_of=total_count_header)
    )
    assert len(items) == 7 and len(mock.calls("GET", "pages")) == 3


def test_iter_pages_with_a_cursor() -> None:
    pages: dict[str | None, dict[str, Any]] = {
        None: {"results": [1, 2], "paging": {"next": {"after": "c2"}}},
        "c2": {"results": [3]},
    }

    def fetch(cursor: str | None) -> dict[str, Any]:
        return pages[cursor]

    def following(page: dict[str, Any]) -> Callable[[], dict[str, Any]] | None:
        after = paging_next_after(page)
        return (lambda: fetch(after)) if after else None

    assert [i for page in iter_pages(lambda: fetch(None), following) for i in page["results"]] == [1, 2, 3]


def test_envelope_readers() -> None:
    assert start_at_next({"startAt": 0, "maxResults": 2, "total": 5, "issues": [1, 2]}) == 2
    assert start_at_next({"startAt": 4, "maxResults": 2, "total": 5, "issues": [5]}) is None
    assert is_last_page_next({"start": 0, "size": 2, "limit": 2, "isLastPage": False, "values": [1, 2]}) == 2
    assert is_last_page_next({"start": 2, "size": 1, "isLastPage": True}) is None
    assert next_records_url(
        None, {"done": False, "nextRecordsUrl": "/services/data/v59.0/query/01g-2000"}
    ) == ("/services/data/v59.0/query/01g-2000")
    assert next_records_url(None, {"done": True, "nextRecordsUrl": "/x"}) is None
    assert (
        odata_v2_next(None, {"d": {"results": [], "__next": "A_Supplier?$skiptoken=10"}})
        == "A_Supplier?$skiptoken=10"
    )
    assert odata_next_link(None, json.loads('{"value": []}')) is None
    assert has_more_next_offset({"hasMore": True, "offset": 0, "count": 2, "items": [1, 2]}) == 2
    assert has_more_next_offset({"hasMore": False, "offset": 2, "count": 1}) is None


@given(
    key=st.sampled_from(
        ["password", "client_secret", "access_token", "refresh_token", "api_token", "token_secret"]
    ),
    value=st.text(
        alphabet=st.characters(
            blacklist_characters=" \t\r\n&,;}]\"'", blacklist_categories=["Cs", "Cc", "Zs", "Zl", "Zp"]
        ),
        min_size=1,
    ),
    separator=st.sampled_from(["=", ": ", '": "']),
)
def test_credential_shaped_fragments_are_always_redacted(key: str, value: str, separator: str) -> None:
    quote = '"' if separator == '": "' else ""
    core = separator.strip('"')
    text = f"vendor echoed {quote}{key}{separator}{value}{quote} back"
    message = str(errors.RejectedError(text, vendor="v", endpoint="POST /x"))
    assert message == f"v POST /x: vendor echoed {quote}{key}{quote}{core}[redacted] back"
