"""Log in (local users file) and out. Behind a proxy (header login) there is no form to show."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from opspack.console.auth import ConsoleUser, current_user, require_role, services, verify_csrf
from opspack.console.cookies import clear_cookie, set_cookie
from opspack.console.errors import Forbidden, NotAuthenticated
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


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
    next_path: Annotated[str, Form(alias="next")] = "/inbox",
) -> Response:
    """Public by nature; guarded by the login cookie's CSRF token and a per-user lock-out."""
    console = services(request)
    if console.settings.auth_mode == "header":
        raise Forbidden("this console logs users in through the proxy; there is no password login")
    now = console.epoch()
    if not console.signer.check_login(request.cookies.get(LOGIN_COOKIE), csrf_token, now):
        raise Forbidden("the login form's security token is missing or out of date; reload the page")
    username = username.strip()
    if console.throttle.locked(username, now):
        return _login_page(
            request,
            next_path,
            error="too many failed attempts for this user name; wait and try again",
            status_code=429,
        )
    users = console.users.get().users
    entry = users.get(username)
    if entry is None or entry.password_hash is None:
        burn_equivalent_time(
            password, like=next((u.password_hash for u in users.values() if u.password_hash), None)
        )
        ok = False
    else:
        ok = verify_password(password, entry.password_hash)
    if not ok or entry is None:
        console.throttle.failed(username, now)
        return _login_page(request, next_path, error="user name or password is wrong", status_code=401)
    console.throttle.succeeded(username)
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
