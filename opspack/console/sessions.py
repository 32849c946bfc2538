"""Signed session cookies and the CSRF tokens bound to them, with the standard library only.

A session cookie is ``<payload>.<signature>``: the payload is URL-safe base64 of a small JSON
object (user, a random nonce, issue time, a fingerprint of the password hash) and the signature is
HMAC-SHA256 over it with the console's secret key. Nothing secret is inside, nothing is stored
server-side; a cookie is refused when the signature, its age or the fingerprint does not fit --
so changing a user's password, removing the user, or rotating the secret key ends their sessions.

CSRF tokens are ``HMAC(secret, purpose | nonce)``: bound to one session (or, before login, to a
signed login cookie), unguessable from another site, and checked on every POST.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from typing import Any

SESSION_COOKIE = "opspack_session"
LOGIN_COOKIE = "opspack_login"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
MIN_SECRET_BYTES = 32


@dataclass(frozen=True)
class Session:
    user: str
    nonce: str
    issued_at: int
    fingerprint: str


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class SessionSigner:
    """Issues and checks session cookies, login cookies and CSRF tokens under one secret key."""

    def __init__(self, secret_key: str, *, max_age_seconds: int) -> None:
        if len(secret_key.encode("utf-8")) < MIN_SECRET_BYTES:
            raise ValueError(f"the console secret key needs at least {MIN_SECRET_BYTES} bytes")
        self._key = hashlib.sha256(b"opspack-console|" + secret_key.encode("utf-8")).digest()
        self.max_age_seconds = max_age_seconds

    def _mac(self, purpose: str, text: str) -> str:
        return _b64(hmac.new(self._key, f"{purpose}|{text}".encode(), hashlib.sha256).digest())

    def _sign(self, purpose: str, data: dict[str, Any]) -> str:
        payload = _b64(json.dumps(data, sort_keys=True, separators=(",", ":")).encode("utf-8"))
        return f"{payload}.{self._mac(purpose, payload)}"

    def _unsign(self, purpose: str, value: str | None) -> dict[str, Any] | None:
        if not value or value.count(".") != 1:
            return None
        payload, signature = value.split(".")
        if not hmac.compare_digest(signature, self._mac(purpose, payload)):
            return None
        try:
            data = json.loads(_unb64(payload))
        except (ValueError, UnicodeDecodeError):
            return None
        return data if isinstance(data, dict) else None

    def fingerprint(self, password_hash: str | None) -> str:
        """Short MAC of the user's password hash: a new password invalidates old sessions."""
        return self._mac("fingerprint", password_hash or "-")[:16]

    # --- sessions ----------------------------------------------------------------------------

    def issue(self, user: str, password_hash: str | None, now: int) -> str:
        data = {"u": user, "n": secrets.token_urlsafe(18), "t": now, "f": self.fingerprint(password_hash)}
        return self._sign("session", data)

    def read(self, value: str | None, now: int) -> Session | None:
        data = self._unsign("session", value)
        if data is None:
            return None
        try:
            session = Session(str(data["u"]), str(data["n"]), int(data["t"]), str(data["f"]))
        except (KeyError, TypeError, ValueError):
            return None
        if not 0 <= now - session.issued_at <= self.max_age_seconds:
            return None
        return session

    def csrf_token(self, session: Session) -> str:
        return self._mac("csrf", session.nonce)

    # --- the login form (before there is a session) ------------------------------------------

    def issue_login(self, now: int) -> tuple[str, str]:
        """A login cookie and the CSRF token the login form must carry with it."""
        nonce = secrets.token_urlsafe(18)
        return self._sign("login", {"n": nonce, "t": now}), self._mac("login-csrf", nonce)

    def check_login(self, cookie: str | None, token: str | None, now: int) -> bool:
        data = self._unsign("login", cookie)
        if data is None or not token or not isinstance(data.get("n"), str):
            return False
        if not 0 <= now - int(data.get("t", -1)) <= 3600:
            return False
        return hmac.compare_digest(token, self._mac("login-csrf", data["n"]))

    def login_token(self, cookie: str | None) -> str | None:
        """The CSRF token for an existing login cookie (re-showing the form after a failure)."""
        data = self._unsign("login", cookie)
        return self._mac("login-csrf", data["n"]) if data and isinstance(data.get("n"), str) else None


def same_token(expected: str, presented: str | None) -> bool:
    return bool(presented) and hmac.compare_digest(expected, presented or "")
