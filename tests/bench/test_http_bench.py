"""Benchmark: what `VendorHttp` costs per round trip over a bare `requests.Session`.

Both sides use the same in-process `MockTransportAdapter` (and, in the second pair, the same
served mock over loopback HTTP), so the difference is the platform's own work: the live-call
check, auth hooks, retry bookkeeping, body checks and JSON decoding. Run with ``make bench``.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import requests

from connectors.auth import BearerToken
from connectors.http import VendorHttp
from mocks.base import MockRequest, MockResponse, MockVendor, json_response, route
from mocks.server import serve_mocks
from mocks.transport import mount_mocks

BASE = "https://bench.mock"
PAYLOAD = {"id": "i-1", "name": "widget", "lines": [{"n": i, "amount": "10.00"} for i in range(10)]}


class BenchMock(MockVendor):
    NAME = "bench"
    PREFIXES = ("/bench",)

    @route("GET", r"/bench/items/(?P<item_id>[\w-]+)")
    def item(self, request: MockRequest, item_id: str) -> MockResponse:
        return json_response(PAYLOAD)


def rate(label: str, call: Callable[[], object], rounds: int, repeats: int = 3) -> tuple[str, float]:
    """Best of `repeats` timed runs of `rounds` calls, after a warm-up."""
    for _ in range(min(50, rounds)):
        call()
    best = 0.0
    for _ in range(repeats):
        started = time.perf_counter()
        for _ in range(rounds):
            call()
        best = max(best, rounds / (time.perf_counter() - started))
    return label, best


def test_vendor_http_overhead() -> None:
    rows: list[tuple[str, float]] = []

    mock = BenchMock()
    bare = mount_mocks(requests.Session(), {BASE: mock})
    bare.headers["Authorization"] = "Bearer bench-token"

    def bare_call() -> object:
        response = bare.get(f"{BASE}/bench/items/i-1", timeout=(5, 30))
        response.raise_for_status()
        return response.json()

    http = VendorHttp(
        "bench", BASE, session=mount_mocks(requests.Session(), {BASE: mock}), auth=BearerToken("bench-token")
    )
    rows.append(rate("in-process: bare requests.Session", bare_call, 2000))
    rows.append(rate("in-process: VendorHttp.get_json", lambda: http.get_json("/bench/items/i-1"), 2000))

    server = serve_mocks({"bench": BenchMock()}, port=0)
    try:
        served_bare = requests.Session()
        served_http = VendorHttp("bench", server.url, auth=BearerToken("bench-token"))

        def served_bare_call() -> object:
            response = served_bare.get(f"{server.url}/bench/items/i-1", timeout=(5, 30))
            response.raise_for_status()
            return response.json()

        rows.append(rate("loopback HTTP: bare requests.Session", served_bare_call, 1000))
        rows.append(
            rate("loopback HTTP: VendorHttp.get_json", lambda: served_http.get_json("/bench/items/i-1"), 500)
        )
    finally:
        server.shutdown()

    print()
    print(f"{'path':<42} {'round trips/s':>14}")
    for label, per_second in rows:
        print(f"{label:<42} {per_second:>14,.0f}")
    in_process_ratio = rows[1][1] / rows[0][1]
    loopback_ratio = rows[3][1] / rows[2][1]
    print(
        f"VendorHttp / bare, in-process: {in_process_ratio:.2f}x; over loopback HTTP: {loopback_ratio:.2f}x"
    )
    assert all(per_second > 0 for _, per_second in rows)
