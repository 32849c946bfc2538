"""The one rule every directory implementation applies to `find_user` arguments."""

from __future__ import annotations

from typing import Literal

from connectors.errors import RejectedError

LookupKey = Literal["login", "email", "id"]


def lookup_key(
    login: str | None, email: str | None, user_id: str | None, *, vendor: str, endpoint: str
) -> tuple[LookupKey, str]:
    """Exactly one non-blank identifier, as (which, value); anything else is a `RejectedError`."""
    given: list[tuple[LookupKey, str]] = []
    if login is not None:
        given.append(("login", login))
    if email is not None:
        given.append(("email", email))
    if user_id is not None:
        given.append(("id", user_id))
    if len(given) != 1:
        raise RejectedError("give exactly one of login, email or user_id", vendor=vendor, endpoint=endpoint)
    key, value = given[0]
    if not value.strip():
        raise RejectedError(f"an empty {key} cannot be looked up", vendor=vendor, endpoint=endpoint)
    return key, value
