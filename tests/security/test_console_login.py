"""Hole 7 (issue 14): console login is no longer a memory lever or a lock-out lever.

Password checks run in a bounded pool (counted here, not timed), each client address has an
attempt budget, and failures back off per (client, user name) so an attacker elsewhere cannot
lock the real user out.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from opspack.console import passwords
from opspack.console.app import create_app
from opspack.console.login_guard import MAX_TRACKED, Backoff, ClientRateLimiter, HashingPool, LoginRefused
from opspack.console.passwords import hash_password
from opspack.console.settings import ConsoleSettings
from opspack.console.users import Role, write_user
from opspack.settings import policy_path

PASSWORD = {"alice": "alice-console-password", "bob": "bob-console-password"}
ATTACKER, REAL_BOB = "203.0.113.9", "198.51.100.7"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class CountingDerive:
    """Wraps scrypt: counts derivations, the most at once, and can hold them until released."""

    def __init__(self, real: Callable[..., bytes]) -> None:
        self.real = real
        self.lock = threading.Lock()
        self.calls = self.running = self.peak = 0
        self.gate = threading.Event()
        self.gate.set()

    def __call__(self, *args: Any) -> bytes:
        with self.lock:
            self.calls += 1
            self.running += 1
            self.peak = max(self.peak, self.running)
        try:
            assert self.gate.wait(60), "derivations were never released"
            return self.real(*args)
        finally:
            with self.lock:
                self.running -= 1


@pytest.fixture
def derive(monkeypatch: pytest.MonkeyPatch) -> CountingDerive:
    counting = CountingDerive(passwords._derive)
    monkeypatch.setattr(passwords, "_derive", counting)
    return counting


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def settings(tmp_path: Path, clock: Clock) -> ConsoleSettings:
    users = tmp_path / "users.yaml"
    for name, password in PASSWORD.items():
        write_user(
            users, name, role=Role.APPROVER, approver=name, password_hash=hash_password(password, n=1024)
        )
    return ConsoleSettings(
        users_file=users,
        secret_key="login-test-secret-key-of-at-least-32-bytes",
        database_url=f"sqlite:///{tmp_path / 'console.db'}",
        policy_file=policy_path(),
        trusted_proxies=("testclient",),  # the test client plays a proxy naming each client
        login_clock=clock,
    )


def attempt(app: FastAPI, username: str, password: str, client: str = ATTACKER) -> Any:
    browser = TestClient(app, base_url="https://testserver")
    page = browser.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token, page.text
    return browser.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token.group(1), "next": "/inbox"},
        headers={"X-Forwarded-For": f"10.9.9.9, {client}"},
        follow_redirects=False,
    )


def test_parallel_bad_logins_never_run_more_hashes_than_the_pool(
    settings: ConsoleSettings, derive: CountingDerive
) -> None:
    app = create_app(replace(settings, hash_workers=2, hash_queue=4, hash_wait_seconds=60))
    pool: HashingPool = app.state.console.login_guard.pool
    derive.gate.clear()  # hold every derivation until all 16 requests have arrived
    answers: list[Any] = []
    names = [f"nobody-{i}" if i % 2 else "alice" for i in range(16)]  # known and unknown users alike

    def bad_login(name: str) -> None:
        answers.append(attempt(app, name, "wrong password!", client=f"192.0.2.{len(name)}"))

    threads = [threading.Thread(target=bad_login, args=(name,)) for name in names]
    for thread in threads:
        thread.start()
    try:
        for _ in range(600):  # wait (by count) until the 10 beyond 2 workers + 4 queued are refused
            if pool.refused == 10 or derive.running > 2:
                break
            threading.Event().wait(0.05)
        assert derive.running <= 2
        assert pool.refused == 10
    finally:
        derive.gate.set()
        for thread in threads:
            thread.join(60)
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [401] * 6 + [503] * 10
    assert all(a.headers.get("Retry-After") for a in answers if a.status_code == 503)
    assert derive.peak <= 2 and pool.peak <= 2
    assert derive.calls == 6  # refused requests never hashed anything


def test_unknown_user_names_cost_one_derivation_like_known_ones(
    settings: ConsoleSettings, derive: CountingDerive
) -> None:
    app = create_app(settings)
    assert attempt(app, "alice", "wrong password!").status_code == 401
    assert derive.calls == 1
    assert attempt(app, "no-such-user", "wrong password!").status_code == 401
    assert derive.calls == 2


def test_an_attacker_backs_off_alone_and_the_real_user_still_logs_in(
    settings: ConsoleSettings, derive: CountingDerive, clock: Clock
) -> None:
    app = create_app(settings)  # 5 free failures, then 30 s doubling, capped at 15 minutes
    for _ in range(5):
        assert attempt(app, "bob", "guess guess guess").status_code == 401
    hashed = derive.calls
    refused = attempt(app, "bob", PASSWORD["bob"])  # even the right password waits: no oracle
    assert refused.status_code == 429 and "too many failed attempts" in refused.text
    assert int(refused.headers["Retry-After"]) == 30
    assert derive.calls == hashed  # a backed-off attempt costs no hashing

    real = attempt(app, "bob", PASSWORD["bob"], client=REAL_BOB)
    assert real.status_code == 303 and "opspack_session" in real.headers["set-cookie"]

    clock.now += 31
    assert attempt(app, "bob", "guess again!!").status_code == 401  # the sixth failure: 60 s
    clock.now += 59
    assert attempt(app, "bob", "guess again!!").status_code == 429
    clock.now += 2
    assert attempt(app, "bob", "guess again!!").status_code == 401  # the seventh: 120 s
    assert int(attempt(app, "bob", "x").headers["Retry-After"]) == 120
    for _ in range(12):  # the back-off never exceeds lockout_minutes
        clock.now += 3600
        attempt(app, "bob", "guess again!!")
    assert int(attempt(app, "bob", "x").headers["Retry-After"]) == 15 * 60


def test_spraying_names_from_one_client_is_rate_limited(
    settings: ConsoleSettings, derive: CountingDerive, clock: Clock
) -> None:
    app = create_app(replace(settings, login_burst=8, login_per_minute=6))
    for i in range(8):
        assert attempt(app, f"user-{i}", "spring2026!!").status_code == 401
    hashed = derive.calls
    sprayed = attempt(app, "user-9", "spring2026!!")
    assert sprayed.status_code == 429 and "from your address" in sprayed.text
    assert derive.calls == hashed
    assert attempt(app, "alice", PASSWORD["alice"], client=REAL_BOB).status_code == 303
    clock.now += 10  # 6 per minute: one attempt back after 10 s
    assert attempt(app, "user-10", "spring2026!!").status_code == 401
    assert attempt(app, "user-11", "spring2026!!").status_code == 429


def test_the_limiters_forget_old_entries_instead_of_growing() -> None:
    clock = Clock()
    backoff = Backoff(1, 30, 900, clock, limit=100)
    limiter = ClientRateLimiter(1, 1, clock, limit=100)
    for i in range(5000):
        backoff.failed(f"10.0.{i // 256}.{i % 256}", "alice")
        limiter.take(f"10.0.{i // 256}.{i % 256}")
    assert len(backoff._failures) == 100 and len(limiter._buckets) == 100
    assert MAX_TRACKED >= 1000


def test_the_pool_refuses_at_once_when_full() -> None:
    pool = HashingPool(workers=1, queue=0, wait_seconds=60)
    with pool.slot(), pytest.raises(LoginRefused) as refused:
        pool.run(lambda: True)
    assert refused.value.status == 503 and pool.refused == 1
    assert pool.run(lambda: True) is True
