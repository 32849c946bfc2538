"""The Okta mock's in-memory org: users, groups, memberships, OAuth apps and their secrets.

Objects are stored in Okta's own wire shapes (seeded from ``fixtures/okta/*.json``), so handlers
answer with them unchanged. Everything a test wants to count -- password resets, unlocks,
effective membership changes, secret rotations -- is recorded here.
"""

from __future__ import annotations

import json
import secrets
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from connectors.fixture_files import fixture_path

FIXTURES = fixture_path("okta")


def okta_time(moment: datetime) -> str:
    """Okta's timestamp spelling: milliseconds and ``Z``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def new_id(prefix: str) -> str:
    """A fresh 20-character Okta-style id."""
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    return prefix + "".join(secrets.choice(alphabet) for _ in range(20 - len(prefix)))


@dataclass(frozen=True)
class MembershipEvent:
    """One effective membership change (a PUT for an existing member is not one)."""

    action: Literal["add", "remove"]
    group_id: str
    user_id: str
    at: datetime


@dataclass
class OktaOrg:
    """State of one mock Okta org."""

    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    """User objects by id, in creation order."""
    groups: dict[str, dict[str, Any]] = field(default_factory=dict)
    members: dict[str, list[str]] = field(default_factory=dict)
    """Group id -> member user ids, in the order they were added."""
    apps: dict[str, dict[str, Any]] = field(default_factory=dict)
    client_secrets: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    used_assertion_ids: set[str] = field(default_factory=set)
    """``jti`` of every client assertion accepted (a replay is refused)."""
    """App id -> its client secret objects (mock keeps the values to check the token grant)."""
    api_tokens: dict[str, dict[str, Any]] = field(default_factory=dict)
    """SSWS token value -> token metadata."""
    access_tokens: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Bearer token -> {client_id, scope, expires_at}."""
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    resets: Counter[str] = field(default_factory=Counter)
    """Password resets applied, per user id."""
    unlocks: Counter[str] = field(default_factory=Counter)
    membership_log: list[MembershipEvent] = field(default_factory=list)
    secret_events: list[tuple[str, str, str]] = field(default_factory=list)
    """(action, app id, secret id) for created / deactivated / activated / deleted secrets."""

    @classmethod
    def load(
        cls, folder: str | Path | None = None, *, clock: Callable[[], datetime] | None = None
    ) -> OktaOrg:
        """Read ``users.json``, ``groups.json``, ``group_members.json``, ``apps.json``,
        ``client_secrets.json`` and ``api_tokens.json`` from `folder` (default ``fixtures/okta``)."""
        root = Path(folder) if folder is not None else FIXTURES

        def read(name: str, default: Any) -> Any:
            path = root / name
            return json.loads(path.read_text(encoding="utf-8")) if path.exists() else default

        org = cls(clock=clock) if clock is not None else cls()
        org.users = {u["id"]: u for u in read("users.json", [])}
        org.groups = {g["id"]: g for g in read("groups.json", [])}
        stored = read("group_members.json", {})
        org.members = {gid: list(stored.get(gid, [])) for gid in org.groups}
        org.apps = {a["id"]: a for a in read("apps.json", [])}
        org.client_secrets = {k: [dict(s) for s in v] for k, v in read("client_secrets.json", {}).items()}
        org.api_tokens = {t["token"]: t for t in read("api_tokens.json", [])}
        return org

    # -- look-ups --------------------------------------------------------------------------------

    def user(self, key: str) -> dict[str, Any] | None:
        """By id, or by login (Okta's ``/users/{id|login}``), login compared case-insensitively."""
        if key in self.users:
            return self.users[key]
        wanted = key.casefold()
        return next((u for u in self.users.values() if u["profile"]["login"].casefold() == wanted), None)

    def groups_of(self, user_id: str) -> list[dict[str, Any]]:
        return [self.groups[gid] for gid, ids in self.members.items() if user_id in ids]

    def now(self) -> str:
        return okta_time(self.clock())

    # -- changes ---------------------------------------------------------------------------------

    def set_status(self, user_id: str, status: str) -> None:
        user = self.users[user_id]
        user["status"] = status
        user["statusChanged"] = user["lastUpdated"] = self.now()

    def add_member(self, group_id: str, user_id: str) -> bool:
        """Add; True if membership changed."""
        ids = self.members[group_id]
        if user_id in ids:
            return False
        ids.append(user_id)
        self.groups[group_id]["lastMembershipUpdated"] = self.now()
        self.membership_log.append(MembershipEvent("add", group_id, user_id, self.clock()))
        return True

    def remove_member(self, group_id: str, user_id: str) -> bool:
        ids = self.members[group_id]
        if user_id not in ids:
            return False
        ids.remove(user_id)
        self.groups[group_id]["lastMembershipUpdated"] = self.now()
        self.membership_log.append(MembershipEvent("remove", group_id, user_id, self.clock()))
        return True

    def register_service_app(
        self, client_id: str, public_jwks: list[dict[str, Any]], label: str = "service app"
    ) -> None:
        """An API service app that authenticates with ``private_key_jwt`` against `public_jwks`."""
        self.apps[client_id] = {
            "id": client_id, "name": "oidc_client", "label": label, "status": "ACTIVE",
            "signOnMode": "OPENID_CONNECT",
            "credentials": {"oauthClient": {"client_id": client_id, "token_endpoint_auth_method": "private_key_jwt",
                                            "autoKeyRotation": True}},
            "settings": {"oauthClient": {"application_type": "service", "grant_types": ["client_credentials"],
                                         "response_types": ["token"], "jwks": {"keys": list(public_jwks)}}},
        }  # fmt: skip

    def issue_access_token(self, client_id: str, scope: str, ttl: int = 3600) -> str:
        token = "mock-okta-at-" + secrets.token_urlsafe(24)
        self.access_tokens[token] = {
            "client_id": client_id,
            "scope": scope,
            "expires_at": self.clock().timestamp() + ttl,
        }
        return token
