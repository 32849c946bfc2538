"""`mocks serve --latency`: a fixed round trip on every answer, apart from (and not counted as) faults."""

from __future__ import annotations

import time

import pytest
import requests

from mocks import load_all_mocks
from mocks.faults import FaultPlan
from mocks.server import serve_mocks


def test_latency_delays_every_answer_without_counting_as_a_fault() -> None:
    plan = FaultPlan()
    assert plan.decide("GET", "/x", None) is None
    plan.set_latency(0.05)
    fault = plan.decide("GET", "/x", None)
    assert fault is not None and (fault.kind, fault.delay) == ("latency", 0.05)
    assert plan.history == []
    plan.add("*", rate=1.0, kinds=("5xx",))
    injected = plan.decide("POST", "/x", None)
    assert injected is not None and injected.kind == "5xx" and len(plan.history) == 1
    with pytest.raises(ValueError, match="latency"):
        plan.set_latency(-1)


def test_a_served_mock_with_latency_answers_after_it() -> None:
    mocks = load_all_mocks(["okta"])
    with serve_mocks(mocks, port=0) as server:
        url = f"{server.url}/api/v1/users"
        mocks["okta"].faults.set_latency(0.3)
        started = time.perf_counter()
        answer = requests.get(url, timeout=10)
        assert time.perf_counter() - started >= 0.3  # a lower bound: the mock slept before answering
        assert answer.status_code in (200, 401)  # answered as usual, only later
