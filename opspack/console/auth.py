"""Who is asking, and may they: the dependencies every route declares.

- `current_user`: the session cookie (local login) or the proxy's header (header login, only from
  a trusted proxy address); the users file is consulted on every request, so a removed user or a
  changed role takes effect at once.
- `require_role(role)`: 403 unless the user's role includes `role`. Every mutating route declares
  one; `tests/console/test_route_guards.py` enumerates the app's routes and fails when one does not.
- `verify_csrf`: every POST carries the session's CSRF token (form field ``csrf_token`` or header
  ``X-CSRF-Token``); without it the request is refused before anything happens.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from fastapi import Depends, Request

from opspack.console.errors import Forbidden, NotAuthenticated
from opspack.console.services import ConsoleServices
from opspack.console.sessions import CSRF_FIELD, CSRF_HEADER, SESSION_COOKIE, Session, same_token
from opspack.console.users import Role, UserEntry


@dataclass(frozen=True)
class ConsoleUser:
    username: str
    entry: UserEntry
    session: Session
    csrf_token: str

    @property
    def role(self) -> Role:
        return self.entry.role

    @property
    def approver(self) -> str | None:
        """The policy approver id decisions are taken as; None for users who cannot decide."""
        return self.entry.approver if self.role.includes(Role.APPROVER) else None

    @property
    def display_name(self) -> str:
        return self.entry.name or self.username

    def has(self, role: Role) -> bool:
        return self.role.includes(role)


def services(request: Request) -> ConsoleServices:
    found: ConsoleServices = request.app.state.console
    return found


def _from_proxy(request: Request, console: ConsoleServices) -> tuple[str, Session]:
    settings = console.settings
    client = request.client.host if request.client else ""
    if client not in settings.trusted_proxies:
        raise NotAuthenticated(f"header login is accepted only through a trusted proxy, not from {client!r}")
    username = (request.headers.get(settings.auth_header) or "").strip()
    if not username:
        raise NotAuthenticated(f"the proxy did not name a user in {settings.auth_header}")
    entry = console.users.get().users.get(username)
    if entry is None:
        raise NotAuthenticated(f"{username!r} is not a console user (add them to the users file)")
    now = console.epoch()
    session = console.signer.read(request.cookies.get(SESSION_COOKIE), now)
    if session is None or session.user != username:
        cookie = console.signer.issue(username, entry.password_hash, now)
        request.state.issue_session = cookie
        session = console.signer.read(cookie, now)
        assert session is not None
    return username, session


def current_user(request: Request) -> ConsoleUser:
    cached: ConsoleUser | None = getattr(request.state, "user", None)
    if cached is not None:
        return cached
    console = services(request)
    if console.settings.auth_mode == "header":
        username, session = _from_proxy(request, console)
    else:
        found = console.signer.read(request.cookies.get(SESSION_COOKIE), console.epoch())
        if found is None:
            raise NotAuthenticated("log in first")
        username, session = found.user, found
    entry = console.users.get().users.get(username)
    if entry is None or session.fingerprint != console.signer.fingerprint(entry.password_hash):
        raise NotAuthenticated("your session has ended (user changed or removed); log in again")
    user = ConsoleUser(username, entry, session, console.signer.csrf_token(session))
    request.state.user = user
    return user


def require_role(minimum: Role) -> Callable[[ConsoleUser], ConsoleUser]:
    """A dependency that admits users whose role includes `minimum`."""

    def dependency(user: ConsoleUser = Depends(current_user)) -> ConsoleUser:
        if not user.has(minimum):
            raise Forbidden(f"this needs the {minimum.value} role; you are {user.role.value}")
        return user

    dependency.required_role = minimum  # type: ignore[attr-defined]  # read by the route audit test
    dependency.__name__ = f"require_{minimum.value}"
    return dependency


async def verify_csrf(request: Request, user: ConsoleUser = Depends(current_user)) -> None:
    """Refuse a POST whose CSRF token is missing or not this session's."""
    presented = request.headers.get(CSRF_HEADER)
    if presented is None:
        form = await request.form()
        value = form.get(CSRF_FIELD)
        presented = value if isinstance(value, str) else None
    if not same_token(user.csrf_token, presented):
        raise Forbidden("the form's security token is missing or out of date; reload the page and try again")


def required_role_of(dependency: object) -> Role | None:
    """The role a `require_role` dependency demands (for the route audit), else None."""
    role = getattr(dependency, "required_role", None)
    return role if isinstance(role, Role) else None
