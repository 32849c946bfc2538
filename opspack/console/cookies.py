"""Every cookie the console sets: HttpOnly, SameSite=Strict, Secure unless turned off for localhost."""

from __future__ import annotations

from starlette.responses import Response

from opspack.console.settings import ConsoleSettings


def set_cookie(response: Response, settings: ConsoleSettings, name: str, value: str, max_age: int) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path="/",
        httponly=True,
        samesite="strict",
        secure=settings.secure_cookies,
    )


def clear_cookie(response: Response, settings: ConsoleSettings, name: str) -> None:
    response.delete_cookie(name, path="/", httponly=True, samesite="strict", secure=settings.secure_cookies)
