"""Fixtures for the console tests: a company with held invoices, the app, and logged-in clients."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

sys.path.insert(0, str(Path(__file__).resolve().parent))
from console_world import World, build_world, csrf_of, password_of

from opspack.console.app import create_app

Login = Callable[[str], TestClient]


@pytest.fixture
def world(tmp_path: Path) -> World:
    return build_world(tmp_path)


@pytest.fixture
def app(world: World) -> FastAPI:
    return create_app(world.settings)


def client_for(app: FastAPI) -> TestClient:
    """HTTPS, so the Secure cookies the console sets by default come back as a browser would send them."""
    return TestClient(app, base_url="https://testserver")


def log_in(client: TestClient, username: str, password: str | None = None) -> TestClient:
    form = client.get("/login")
    answer = client.post(
        "/login",
        data={
            "username": username,
            "password": password if password is not None else password_of(username),
            "csrf_token": csrf_of(form.text),
            "next": "/inbox",
        },
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    return client


@pytest.fixture
def login(app: FastAPI) -> Login:
    """``login("alice")``: a fresh client with alice's session."""
    return lambda username: log_in(client_for(app), username)


def page_token(client: TestClient, path: str = "/inbox") -> str:
    """The CSRF token of the client's session, as a page carries it."""
    return csrf_of(client.get(path).text)
