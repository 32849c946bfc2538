"""Every route of the app is checked: a mutating route without a role check or a CSRF check fails here.

The structural test walks each route's dependency tree for `require_role(...)` and `verify_csrf`;
the behavioural test then POSTs to every mutating route as nobody and as every role below the one
the route demands, and expects 401 / 403 with nothing changed.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from conftest import Login, client_for, page_token
from console_world import World
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute, Mount

from governance import approvals
from governance.kill_switches import switch_states
from opspack.console.app import create_app
from opspack.console.auth import required_role_of, verify_csrf
from opspack.console.users import Role

PUBLIC = {("GET", "/"), ("GET", "/healthz"), ("GET", "/login"), ("POST", "/login")}
"""Reachable without a session; POST /login is guarded by its own login-cookie CSRF token."""
READ_ONLY = {"GET", "HEAD"}
USER_OF_ROLE = {Role.VIEWER: "victor", Role.APPROVER: "alice", Role.ADMIN: "ada"}


def _calls(dependant: Dependant) -> Iterator[Any]:
    for dependency in dependant.dependencies:
        yield dependency.call
        yield from _calls(dependency)


def routes_of(routes: list[BaseRoute]) -> Iterator[BaseRoute]:
    """Every route, with included routers opened (FastAPI >= 0.16x keeps them as one wrapper each)."""
    for route in routes:
        included = getattr(route, "original_router", None)
        if included is not None:
            yield from routes_of(included.routes)
        else:
            yield route


def required_role(route: APIRoute) -> Role | None:
    roles = [role for call in _calls(route.dependant) if (role := required_role_of(call)) is not None]
    return max(roles, key=lambda role: role.rank) if roles else None


def unguarded(app: FastAPI) -> list[str]:
    """Every (method, path) that misses a role check, or a CSRF check on a mutating method."""
    problems = []
    for route in routes_of(app.routes):
        if isinstance(route, Mount):
            if route.path != "/static":
                problems.append(f"unexpected mount {route.path}")
            continue
        if not isinstance(route, APIRoute):
            problems.append(f"{route!r} is not an APIRoute, so its guards cannot be checked")
            continue
        for method in sorted(route.methods or ()):
            if (method, route.path) in PUBLIC:
                continue
            if required_role(route) is None:
                problems.append(f"{method} {route.path}: no require_role(...) dependency")
            if method not in READ_ONLY and verify_csrf not in set(_calls(route.dependant)):
                problems.append(f"{method} {route.path}: no verify_csrf dependency")
    return problems


def mutating_routes(app: FastAPI) -> list[tuple[str, Role]]:
    found = []
    for route in routes_of(app.routes):
        if (
            isinstance(route, APIRoute)
            and set(route.methods or ()) - READ_ONLY
            and ("POST", route.path) not in PUBLIC
        ):
            role = required_role(route)
            assert role is not None
            found.append((route.path, role))
    return found


def test_every_route_declares_its_role_and_every_post_its_csrf_check(app: FastAPI) -> None:
    assert unguarded(app) == []
    paths = {route.path for route in routes_of(app.routes) if isinstance(route, APIRoute)}
    assert {"/inbox", "/dashboard", "/audit/verify", "/transactions/{transaction_id:path}"} <= paths
    assert {path for path, _ in mutating_routes(app)} >= {
        "/approvals/{approval_id}/approve",
        "/approvals/{approval_id}/reject",
        "/approvals/{approval_id}/edit",
        "/agents/{agent}/kill-switch",
        "/logout",
    }


def test_the_audit_catches_a_new_unguarded_route(world: World) -> None:
    app = create_app(world.settings)

    @app.post("/approvals/{approval_id}/escalate")
    def escalate(approval_id: str) -> dict[str, str]:
        return {"escalated": approval_id}

    assert unguarded(app) == [
        "POST /approvals/{approval_id}/escalate: no require_role(...) dependency",
        "POST /approvals/{approval_id}/escalate: no verify_csrf dependency",
    ]


def _form() -> dict[str, str]:
    return {"reason": "probe", "state": "engage", "target": "x", "amount": "1", "params": "{}"}


def test_every_mutating_route_refuses_nobody_and_every_lower_role(
    app: FastAPI, world: World, login: Login
) -> None:
    approval = world.approval_id("SOD-9001")
    values = {"{approval_id}": approval, "{agent}": "ap_clerk"}
    clients = {role: login(user) for role, user in USER_OF_ROLE.items()}
    tokens = {role: page_token(client) for role, client in clients.items()}
    checked = 0
    for template, needed in mutating_routes(app):
        path = template
        for placeholder, value in values.items():
            path = path.replace(placeholder, value)
        anonymous = client_for(app).post(path, data=_form(), follow_redirects=False)
        assert anonymous.status_code == 401, path
        for role, client in clients.items():
            if role.includes(needed):
                continue
            answer = client.post(path, data=_form() | {"csrf_token": tokens[role]}, follow_redirects=False)
            assert answer.status_code == 403, (path, role)
            checked += 1
    assert checked >= 5
    assert approvals.get_request(world.governor.store, approval).status == "pending"
    assert switch_states(world.governor.store) == {}
