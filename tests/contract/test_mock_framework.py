"""Contract tests for the mock framework: routes, faults, the three transports and the catalogue."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests
import responses
from typer.testing import CliRunner

import mocks
from connectors import errors
from connectors.http import VendorHttp
from mocks.base import (
    MockConnectionDropped,
    MockHttpError,
    MockRequest,
    MockResponse,
    MockRouteMissing,
    MockVendor,
    QueryParams,
    json_response,
    route,
)
from mocks.faults import FaultPlan
from mocks.server import serve_mocks
from mocks.transport import MockTransportAdapter, mount_mocks, register_with_responses
from opspack.cli.mocks import mocks_app


class NotesMock(MockVendor):
    """A test-only vendor: notes with ids, an error envelope of its own and a session cookie."""

    NAME = "notes"
    PREFIXES = ("/notes/api",)

    def __init__(self) -> None:
        super().__init__()
        self.notes: dict[str, str] = {"n1": "hello"}

    def error_response(self, status: int, message: str, code: str | None = None) -> MockResponse:
        return json_response({"problem": message, "code": code}, status)

    def authenticate(self, request: MockRequest) -> MockResponse | None:
        if request.headers.get("X-Api-Key") != "k":
            return self.error_response(401, "missing api key")
        return None

    @route("GET", r"/notes/api/notes")
    def list_notes(self, request: MockRequest) -> dict[str, Any]:
        wanted = request.query.getlist("id") or sorted(self.notes)
        return {"notes": [{"id": i, "text": self.notes[i]} for i in wanted if i in self.notes]}

    @route("GET", r"/notes/api/notes/(?P<note_id>\w+)")
    def get_note(self, request: MockRequest, note_id: str) -> MockResponse:
        if note_id not in self.notes:
            raise MockHttpError(404, f"note {note_id} not found", code="NOPE")
        return json_response({"id": note_id, "text": self.notes[note_id]})

    @route("POST", r"/notes/api/notes")
    def add_note(self, request: MockRequest) -> MockResponse:
        body = request.json()
        note_id = f"n{len(self.notes) + 1}"
        self.notes[note_id] = body["text"]
        response = json_response({"id": note_id}, 201)
        response.cookies["NOTES_SESSION"] = "s-1"
        return response

    @route("DELETE", r"/notes/api/notes/(?P<note_id>\w+)")
    def delete_note(self, request: MockRequest) -> None:
        self.notes.pop(request.path_params["note_id"], None)

    @route("GET", r"/notes/api/ping", auth=False)
    def ping(self, request: MockRequest) -> dict[str, bool]:
        return {"pong": True}


def session_for(mock: MockVendor, base: str = "https://notes.mock", **kwargs: Any) -> requests.Session:
    session = mount_mocks(requests.Session(), {base: mock}, **kwargs)
    session.headers["X-Api-Key"] = "k"
    return session


# -- routes and requests ----------------------------------------------------------------------------


def test_routes_are_collected_and_listed() -> None:
    assert NotesMock().routes() == [
        r"GET /notes/api/notes",
        r"GET /notes/api/notes/(?P<note_id>\w+)",
        r"POST /notes/api/notes",
        r"DELETE /notes/api/notes/(?P<note_id>\w+)",
        r"GET /notes/api/ping",
    ]


def test_handlers_get_params_query_headers_and_json() -> None:
    mock = NotesMock()
    session = session_for(mock)
    assert session.get("https://notes.mock/notes/api/notes/n1").json() == {"id": "n1", "text": "hello"}
    created = session.post("https://notes.mock/notes/api/notes", json={"text": "second"})
    assert created.status_code == 201 and created.json() == {"id": "n2"}
    listed = session.get("https://notes.mock/notes/api/notes", params=[("id", "n2"), ("id", "n1")]).json()
    assert [n["id"] for n in listed["notes"]] == ["n2", "n1"]
    assert session.delete("https://notes.mock/notes/api/notes/n2").status_code == 204
    assert "n2" not in mock.notes
    assert session.cookies.get("NOTES_SESSION") == "s-1"  # Set-Cookie reaches the session's jar


def test_vendor_error_bodies_for_handler_errors_auth_and_bad_json() -> None:
    mock = NotesMock()
    session = session_for(mock)
    missing = session.get("https://notes.mock/notes/api/notes/zz")
    assert (missing.status_code, missing.json()) == (404, {"problem": "note zz not found", "code": "NOPE"})
    bad = session.post(
        "https://notes.mock/notes/api/notes", data=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert bad.status_code == 400 and "malformed JSON" in bad.json()["problem"]
    anonymous = requests.Session()
    mount_mocks(anonymous, {"https://notes.mock": mock})
    assert anonymous.get("https://notes.mock/notes/api/notes").status_code == 401
    assert anonymous.get("https://notes.mock/notes/api/ping").json() == {"pong": True}  # auth=False route


def test_query_params_and_headers_are_multi_and_case_insensitive() -> None:
    query = QueryParams("a=1&a=2&b=&c=x%20y")
    assert (query["a"], query.getlist("a"), query["b"], query["c"]) == ("1", ["1", "2"], "", "x y")
    request = MockRequest("get", "/x", headers={"X-CSRF-Token": "Fetch"})
    assert request.method == "GET" and request.headers["x-csrf-token"] == "Fetch"
    assert "X-Csrf-Token" in request.headers


def test_unserved_request_lists_routes_in_every_mode() -> None:
    mock = NotesMock()
    answer = mock.handle(MockRequest("GET", "/notes/api/nothing"))
    assert answer.status == 404
    assert r"GET /notes/api/notes/(?P<note_id>\w+)" in json.loads(answer.body_bytes())["routes"]
    with pytest.raises(
        MockRouteMissing, match=r"notes mock has no route for PATCH /notes/api/notes/n1"
    ) as caught:
        session_for(mock).patch("https://notes.mock/notes/api/notes/n1", json={})
    assert "POST /notes/api/notes" in str(caught.value)


def test_request_log_records_status_route_and_fault() -> None:
    mock = NotesMock()
    mock.faults.add(r"/notes/api/notes$", kinds=("5xx",), times=1, methods=["GET"])
    session = session_for(mock)
    assert session.get("https://notes.mock/notes/api/notes").status_code == 503
    assert session.get("https://notes.mock/notes/api/notes").status_code == 200
    assert [(e.status, e.fault) for e in mock.calls("GET")] == [(503, "5xx"), (200, None)]
    assert mock.calls()[0].route == "GET /notes/api/notes"


# -- faults -----------------------------------------------------------------------------------------


def test_fault_plans_are_deterministic_under_a_seed() -> None:
    def run(seed: int) -> list[str | None]:
        plan = FaultPlan()
        plan.add("*", rate=0.3, kinds=("5xx", "429", "drop", "latency", "slow_body"), seed=seed)
        decided = [plan.decide("GET", "/x", None) for _ in range(200)]
        return [f.kind if f else None for f in decided]

    first = run(7)
    assert first == run(7)
    assert first != run(8)
    assert 30 < sum(k is not None for k in first) < 90
    assert {k for k in first if k} == {"5xx", "429", "drop", "latency", "slow_body"}


def test_fault_rule_validation_and_targets() -> None:
    plan = FaultPlan()
    with pytest.raises(ValueError, match="fault kinds"):
        plan.add("*", kinds=("explode",))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="rate"):
        plan.add("*", rate=1.5)
    plan.add(r"GET-only-pattern", kinds=("5xx",))
    assert plan.decide("GET", "/other", "GET-only-pattern") is not None  # exact route pattern
    assert plan.decide("GET", "/other", "another") is None


def test_write_drops_split_before_and_after_the_state_change() -> None:
    mock = NotesMock()
    mock.faults.add(r"/notes/api/notes$", kinds=("drop",), methods=["POST"], seed=11)
    after = 0
    for _ in range(40):
        before = len(mock.notes)
        with pytest.raises(MockConnectionDropped) as caught:
            mock.handle(
                MockRequest("POST", "/notes/api/notes", headers={"X-Api-Key": "k"}, body=b'{"text": "t"}')
            )
        assert (len(mock.notes) > before) == caught.value.after_state_change
        after += caught.value.after_state_change
    assert 10 < after < 30


def test_429_fault_carries_retry_after_and_changes_nothing() -> None:
    mock = NotesMock()
    mock.faults.add("*", kinds=("429",), retry_after=7, times=1)
    response = session_for(mock).post("https://notes.mock/notes/api/notes", json={"text": "x"})
    assert response.status_code == 429 and response.headers["Retry-After"] == "7"
    assert len(mock.notes) == 1


def test_latency_uses_the_injected_sleep() -> None:
    slept: list[float] = []
    mock = NotesMock()
    mock.faults.add("*", kinds=("latency",), delay=0.25, times=1)
    assert session_for(mock, sleep=slept.append).get("https://notes.mock/notes/api/ping").ok
    assert slept == [0.25]


def test_drop_surfaces_as_a_requests_connection_error() -> None:
    mock = NotesMock()
    mock.faults.add("*", kinds=("drop",), times=1)
    with pytest.raises(requests.ConnectionError):
        session_for(mock).get("https://notes.mock/notes/api/notes")


# -- responses and real HTTP --------------------------------------------------------------------------


def test_registered_with_responses() -> None:
    mock = NotesMock()
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        register_with_responses(mock, rsps, "https://notes.example.mock/base")
        got = requests.get("https://notes.example.mock/base/notes/api/notes/n1", headers={"X-Api-Key": "k"})
        assert got.json() == {"id": "n1", "text": "hello"}
        posted = requests.post(
            "https://notes.example.mock/base/notes/api/notes",
            json={"text": "via responses"},
            headers={"X-Api-Key": "k"},
        )
        assert posted.status_code == 201 and mock.notes["n2"] == "via responses"
        mock.faults.add("*", kinds=("drop",), times=1)
        with pytest.raises(requests.ConnectionError):
            requests.get("https://notes.example.mock/base/notes/api/ping")
        with pytest.raises(MockRouteMissing):
            requests.get("https://notes.example.mock/base/elsewhere")
    assert len(mock.calls()) == 4


@pytest.fixture
def served() -> Any:
    server = serve_mocks({"notes": NotesMock()}, port=0)
    yield server
    server.shutdown()


def test_served_over_http_by_prefix_and_explicit_path(served: Any) -> None:
    http = VendorHttp("notes", served.url, headers={"X-Api-Key": "k"})
    assert http.get_json("/notes/api/notes/n1") == {"id": "n1", "text": "hello"}
    explicit = VendorHttp("notes", served.vendor_url("notes"), headers={"X-Api-Key": "k"})
    assert explicit.send_json("POST", "/notes/api/notes", json={"text": "over http"}) == {"id": "n2"}
    assert served.mocks["notes"].notes["n2"] == "over http"
    with pytest.raises(errors.NotFoundError, match="note zz not found"):
        http.get_json("/notes/api/notes/zz")


def test_served_unknown_path_lists_vendors_and_routes(served: Any) -> None:
    response = requests.get(f"{served.url}/api/now/table/incident", timeout=5)
    body = response.json()
    assert response.status_code == 404
    assert body["vendors"]["notes"]["prefixes"] == ["/notes/api", "/_mock/notes/"]
    assert "GET /notes/api/ping" in body["vendors"]["notes"]["routes"]


def test_served_drop_closes_the_connection(served: Any) -> None:
    served.mocks["notes"].faults.add("*", kinds=("drop",), times=1)
    http = VendorHttp("notes", served.url, headers={"X-Api-Key": "k"})
    with pytest.raises(errors.OutcomeUnknownError):
        http.send_json("DELETE", "/notes/api/notes/n1", idempotent=False)


# -- catalogue and CLI --------------------------------------------------------------------------------


def test_catalogue_names_every_vendor_and_fails_clearly(monkeypatch: pytest.MonkeyPatch) -> None:
    assert set(mocks.MOCK_CLASSES) == {
        "servicenow",
        "jsm",
        "sap_s4hana",
        "netsuite",
        "salesforce",
        "hubspot",
        "okta",
        "msgraph",
    }
    with pytest.raises(mocks.MockNotAvailable, match="no mock named 'nope'"):
        mocks.load_mock("nope")
    monkeypatch.setitem(mocks.MOCK_CLASSES, "ghost", "mocks.ghost_vendor_missing:GhostMock")
    with pytest.raises(mocks.MockNotAvailable, match=r"cannot import mocks\.ghost_vendor_missing"):
        mocks.load_mock("ghost")
    monkeypatch.setitem(mocks.MOCK_CLASSES, "notes", f"{__name__}:NotesMock")
    assert isinstance(mocks.load_mock("notes"), NotesMock)


def test_cli_routes_json(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(mocks.MOCK_CLASSES, "notes", f"{__name__}:NotesMock")
    result = CliRunner().invoke(mocks_app, ["routes", "--vendor", "notes", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["notes"]["prefixes"] == ["/notes/api"]
    unknown = CliRunner().invoke(mocks_app, ["routes", "--vendor", "nope"])
    assert unknown.exit_code != 0 and "unknown vendor nope" in unknown.output


def test_transport_adapter_strips_its_base_path() -> None:
    mock = NotesMock()
    session = requests.Session()
    session.mount("https://ctx.mock/jira/", MockTransportAdapter(mock, base_path="/jira"))
    response = session.get("https://ctx.mock/jira/notes/api/ping")
    assert response.json() == {"pong": True}


def test_served_latency_beyond_the_read_timeout_leaves_a_write_unknown(served: Any) -> None:
    mock = served.mocks["notes"]
    mock.faults.add(r"/notes/api/notes$", kinds=("latency",), delay=0.3, methods=["POST"], times=1)
    http = VendorHttp("notes", served.url, headers={"X-Api-Key": "k"}, timeout=(2, 0.1))
    with pytest.raises(errors.OutcomeUnknownError, match="ReadTimeout"):
        http.send_json("POST", "/notes/api/notes", json={"text": "slow"})
    assert "slow" in mock.notes.values()  # applied: the answer was only late


def test_served_mock_is_safe_under_concurrent_writes(served: Any) -> None:
    from concurrent.futures import ThreadPoolExecutor

    def add(n: int) -> int:
        response = requests.post(
            f"{served.url}/notes/api/notes", json={"text": f"t{n}"}, headers={"X-Api-Key": "k"}, timeout=5
        )
        return response.status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(add, range(64)))
    assert statuses == [201] * 64
    assert len(served.mocks["notes"].notes) == 65
    assert len(served.mocks["notes"].calls("POST")) == 64


class CrashingMock(NotesMock):
    @route("GET", r"/notes/api/crash")
    def crash(self, request: MockRequest) -> MockResponse:
        raise KeyError("bug in the mock")


def test_served_handler_crash_is_a_500_naming_the_bug() -> None:
    with serve_mocks([CrashingMock()], port=0) as server:
        response = requests.get(f"{server.url}/notes/api/crash", headers={"X-Api-Key": "k"}, timeout=5)
    assert response.status_code == 500 and response.headers["X-Mock-Crash"] == "1"
    assert "KeyError" in response.json()["error"]


class LinesMock(NotesMock):
    @route("GET", r"/notes/api/notes/(?P<note_id>\w+)/lines/(?P<line>\d+)")
    def line(self, request: MockRequest, line: str) -> dict[str, str]:
        return {"note": request.path_params["note_id"], "line": line}

    @route("GET", r"/notes/api/any/(?P<a>\w+)/(?P<b>\w+)")
    def any_params(self, request: MockRequest, **params: str) -> dict[str, str]:
        return params


def test_handlers_get_only_the_named_groups_they_accept() -> None:
    session = session_for(LinesMock())
    assert session.get("https://notes.mock/notes/api/notes/n1/lines/3").json() == {"note": "n1", "line": "3"}
    assert session.get("https://notes.mock/notes/api/any/x/y").json() == {"a": "x", "b": "y"}
    assert len(LinesMock.ROUTES) == len(NotesMock.ROUTES) + 2  # inherited routes stay served


def test_request_log_can_be_bounded() -> None:
    mock = NotesMock()
    mock.log_limit = 3
    session = session_for(mock)
    for note_id in ("n1", "x1", "x2", "x3", "x4"):
        session.get(f"https://notes.mock/notes/api/notes/{note_id}")
    assert [e.request.path.rsplit("/", 1)[1] for e in mock.calls()] == ["x2", "x3", "x4"]


def test_catalogued_mocks_have_matching_names_and_disjoint_prefixes() -> None:
    classes = {name: mocks.mock_class(name) for name in mocks.MOCK_CLASSES}
    assert {name: cls.NAME for name, cls in classes.items()} == {name: name for name in classes}
    owners = [(prefix.rstrip("/"), name) for name, cls in classes.items() for prefix in cls.PREFIXES]
    assert all(cls.PREFIXES and cls.ROUTES for cls in classes.values())
    for prefix, owner in owners:
        clashes = [other for p, other in owners if other != owner and (p + "/").startswith(prefix + "/")]
        assert clashes == [], f"{owner} prefix {prefix} also covers {clashes}"
