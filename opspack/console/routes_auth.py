"""Log in (local users file) and out. Behind a proxy (header login) there is no form to show.

A login is admitted by `opspack.console.login_guard` before any password is hashed: the
(client, user name) pair's back-off and the client's attempt budget (429), then the bounded
hashing pool (503 when full). Unknown user names cost one derivation like known ones.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from opspack.console.auth import ConsoleUser, current_user, require_role, services, verify_csrf
from opspack.console.cookies import clear_cookie, set_cookie
from opspack.console.errors import Forbidden, NotAuthenticated
from opspack.console.login_guard import LoginRefused
from opspack.console.passwords import burn_equivalent_time, verify_password
from opspack.console.sessions import LOGIN_COOKIE, SESSION_COOKIE
from opspack.console.users import Role
from opspack.console.views import render

router = APIRouter()
LOGIN_COOKIE_SECONDS = 3600


def safe_next(target: str | None) -> str:
    """Only a path on this site: no scheme, no host, no protocol-relative ``//evil``."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/inbox"
    return target


def _login_page(request: Request, next_path: str, *, error: str = "", status_code: int = 200) -> Response:
    console = services(request)
    if console.settings.auth_mode == "header":
        return render(request, "login.html.j2", header_mode=True, status_code=status_code, error=error)
    cookie, token = console.signer.issue_login(console.epoch())
    response = render(
        request,
        "login.html.j2",
        header_mode=False,
        login_token=token,
        next_path=safe_next(next_path),
        error=error,
        status_code=status_code,
    )
    set_cookie(response, console.settings, LOGIN_COOKIE, cookie, LOGIN_COOKIE_SECONDS)
    return response


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next_path: Annotated[str, Query(alias="next")] = "/inbox") -> Response:
    try:
        current_user(request)
    except NotAuthenticated:
        return _login_page(request, next_path)
    return RedirectResponse(safe_next(next_path), status_code=303)


def client_address(request: Request) -> str:
    """The peer's address; behind a trusted proxy, the address it appended to X-Forwarded-For."""
    peer = request.client.host if request.client else "unknown"
    forwarded = request.headers.get("X-Forwarded-For", "")
    if forwarded and peer in services(request).settings.trusted_proxies:
        return forwarded.split(",")[-1].strip() or peer
    return peer


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
    next_path: Annotated[str, Form(alias="next")] = "/inbox",
) -> Response:
    """Public by nature; guarded by the login cookie's CSRF token and the login guard."""
    console = services(request)
    if console.settings.auth_mode == "header":
        raise Forbidden("this console logs users in through the proxy; there is no password login")
    now = console.epoch()
    if not console.signer.check_login(request.cookies.get(LOGIN_COOKIE), csrf_token, now):
        raise Forbidden("the login form's security token is missing or out of date; reload the page")
    username = username.strip()
    client = client_address(request)
    guard = console.login_guard
    users = console.users.get().users
    entry = users.get(username)
    stored = entry.password_hash if entry is not None else None
    like = next((u.password_hash for u in users.values() if u.password_hash), None)

    def check() -> bool:
        if stored is None:  # unknown user: the same cost, the same bounded pool
            burn_equivalent_time(password, like=like)
            return False
        return verify_password(password, stored)

    try:
        guard.admit(client, username)
        ok = guard.check_password(check)
    except LoginRefused as refused:
        page = _login_page(request, next_path, error=str(refused), status_code=refused.status)
        page.headers["Retry-After"] = str(refused.retry_after)
        return page
    if not ok or entry is None:
        guard.backoff.failed(client, username)
        return _login_page(request, next_path, error="user name or password is wrong", status_code=401)
    guard.backoff.succeeded(client, username)
    response = RedirectResponse(safe_next(next_path), status_code=303)
    session = console.signer.issue(username, entry.password_hash, now)
    set_cookie(response, console.settings, SESSION_COOKIE, session, console.signer.max_age_seconds)
    clear_cookie(response, console.settings, LOGIN_COOKIE)
    return response


@router.post("/logout")
def logout(
    request: Request,
    user: ConsoleUser = Depends(require_role(Role.VIEWER)),
    _: None = Depends(verify_csrf),
) -> Response:
    console = services(request)
    response = RedirectResponse("/login", status_code=303)
    clear_cookie(response, console.settings, SESSION_COOKIE)
    return response
