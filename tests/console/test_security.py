"""Authentication, cookies, CSRF, lock-out and headers: the console's own security, over HTTP."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from conftest import Login, client_for, log_in, page_token
from console_world import World, csrf_of, password_of
from fastapi import FastAPI

from governance import approvals
from opspack.console.app import create_app
from opspack.console.passwords import hash_password
from opspack.console.users import Role, write_user


def test_pages_redirect_to_login_and_posts_get_401_without_a_session(app: FastAPI, world: World) -> None:
    client = client_for(app)
    for path in ("/inbox", "/dashboard", "/transactions?q=x", f"/approvals/{world.approval_id('SOD-9001')}"):
        answer = client.get(path, follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"].startswith("/login?next=/"), path
    answer = client.post(f"/approvals/{world.approval_id('SOD-9001')}/approve", data={"reason": "x"})
    assert answer.status_code == 401
    assert client.get("/healthz").json() == {"status": "ok"}


def test_session_cookie_is_httponly_samesite_strict_and_secure(app: FastAPI) -> None:
    client = client_for(app)
    form = client.get("/login")
    answer = client.post(
        "/login",
        data={"username": "alice", "password": password_of("alice"), "csrf_token": csrf_of(form.text)},
        follow_redirects=False,
    )
    cookie = next(v for v in answer.headers.get_list("set-cookie") if v.startswith("opspack_session="))
    attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")[1:]}
    assert {"httponly", "secure", "samesite", "path", "max-age"} <= attributes
    assert "samesite=strict" in cookie.lower()


def test_wrong_password_and_unknown_user_get_the_same_answer(app: FastAPI) -> None:
    client = client_for(app)
    answers = []
    for username, password in (("alice", "not her password"), ("mallory", "any password at all")):
        form = client.get("/login")
        answers.append(
            client.post(
                "/login",
                data={"username": username, "password": password, "csrf_token": csrf_of(form.text)},
                follow_redirects=False,
            )
        )
    assert [a.status_code for a in answers] == [401, 401]
    assert all("user name or password is wrong" in a.text for a in answers)
    assert "opspack_session" not in client.cookies


def test_login_without_the_forms_token_is_refused(app: FastAPI) -> None:
    client = client_for(app)
    client.get("/login")
    answer = client.post(
        "/login", data={"username": "alice", "password": password_of("alice"), "csrf_token": "forged"}
    )
    assert answer.status_code == 403 and "opspack_session" not in client.cookies


def test_too_many_failures_lock_the_user_name(app: FastAPI) -> None:
    client = client_for(app)
    for _ in range(5):
        log_attempt = client.post(
            "/login",
            data={
                "username": "bob",
                "password": "wrong-password!",
                "csrf_token": csrf_of(client.get("/login").text),
            },
        )
        assert log_attempt.status_code == 401
    locked = client.post(
        "/login",
        data={
            "username": "bob",
            "password": password_of("bob"),
            "csrf_token": csrf_of(client.get("/login").text),
        },
    )
    assert locked.status_code == 429 and "too many failed attempts" in locked.text
    log_in(client_for(app), "alice")  # other users are not affected


def test_next_cannot_send_the_user_to_another_site(app: FastAPI) -> None:
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        client = client_for(app)
        answer = client.post(
            "/login",
            data={
                "username": "alice",
                "password": password_of("alice"),
                "csrf_token": csrf_of(client.get("/login").text),
                "next": target,
            },
            follow_redirects=False,
        )
        assert answer.headers["location"] == "/inbox", target


@pytest.mark.parametrize("token", [None, "", "forged-token"])
def test_posts_without_this_sessions_csrf_token_change_nothing(
    login: Login, world: World, token: str | None
) -> None:
    alice = login("alice")
    approval = world.approval_id("SOD-9001")
    form = {"reason": "fine"} | ({} if token is None else {"csrf_token": token})
    for path in (f"/approvals/{approval}/approve", f"/approvals/{approval}/reject", "/logout"):
        answer = alice.post(path, data=form, follow_redirects=False)
        assert answer.status_code == 403 and "security token" in answer.text, path
    assert approvals.get_request(world.governor.store, approval).status == "pending"
    assert alice.get("/inbox").status_code == 200  # still logged in: logout was refused too


def test_another_sessions_token_does_not_work(login: Login, world: World) -> None:
    bob_token = page_token(login("bob"))
    alice = login("alice")
    answer = alice.post(
        f"/approvals/{world.approval_id('SOD-9001')}/reject", data={"reason": "no", "csrf_token": bob_token}
    )
    assert answer.status_code == 403


def test_logout_ends_the_session(login: Login) -> None:
    alice = login("alice")
    assert (
        alice.post("/logout", data={"csrf_token": page_token(alice)}, follow_redirects=False).status_code
        == 303
    )
    assert alice.get("/inbox", follow_redirects=False).status_code == 303


def test_a_new_password_or_a_removed_user_ends_existing_sessions(login: Login, world: World) -> None:
    alice = login("alice")
    write_user(
        world.settings.users_file,
        "alice",
        role=Role.APPROVER,
        approver="alice",
        password_hash=hash_password("a brand new password", n=1024),
    )
    assert alice.get("/inbox", follow_redirects=False).status_code == 303


def test_security_headers_are_set(login: Login) -> None:
    headers = login("victor").get("/inbox").headers
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert "script-src" not in headers["content-security-policy"]  # default-src 'none': no scripts at all
    assert headers["x-frame-options"] == "DENY" and headers["x-content-type-options"] == "nosniff"
    assert headers["cache-control"] == "no-store"


def _header_app(world: World, tmp_path: Path, proxies: tuple[str, ...]) -> FastAPI:
    return create_app(replace(world.settings, auth_mode="header", trusted_proxies=proxies))


def test_header_login_from_a_trusted_proxy(world: World, tmp_path: Path) -> None:
    client = client_for(_header_app(world, tmp_path, ("testclient",)))
    headers = {"X-Forwarded-User": "alice"}
    page = client.get("/inbox", headers=headers)
    assert page.status_code == 200 and 'data-user="alice"' in page.text
    approval = world.approval_id("SOD-9002")
    without = client.post(f"/approvals/{approval}/reject", data={"reason": "no"}, headers=headers)
    assert without.status_code == 403  # the header alone is not enough for a POST: CSRF still applies
    answer = client.post(
        f"/approvals/{approval}/reject",
        data={"reason": "duplicate of a paper invoice", "csrf_token": csrf_of(page.text)},
        headers=headers,
        follow_redirects=False,
    )
    assert answer.status_code == 303
    assert approvals.get_request(world.governor.store, approval).decided_by == "alice"
    other = client.get("/inbox", headers={"X-Forwarded-User": "victor"})
    assert 'data-user="victor"' in other.text  # a different proxy user gets a session of their own


def test_header_login_refuses_untrusted_clients_and_unknown_users(world: World, tmp_path: Path) -> None:
    untrusted = client_for(_header_app(world, tmp_path, ("10.0.0.1",)))
    assert untrusted.get("/inbox", headers={"X-Forwarded-User": "alice"}).status_code == 401
    trusted = client_for(_header_app(world, tmp_path, ("testclient",)))
    assert trusted.get("/inbox", headers={"X-Forwarded-User": "mallory"}).status_code == 401
    assert trusted.get("/inbox").status_code == 401
    assert trusted.post("/login", data={"username": "alice", "password": "x"}).status_code == 403
