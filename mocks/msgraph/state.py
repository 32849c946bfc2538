"""The Graph mock's in-memory tenant: users, groups, directory roles and app registrations.

Objects keep Graph's wire shapes (seeded from ``fixtures/msgraph/*.json``); relations are held as
id lists (``manager`` on a user, ``members`` on groups and roles), as ``$expand`` would show them.
"""

from __future__ import annotations

import json
import secrets
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from connectors.fixture_files import fixture_path

FIXTURES = fixture_path("msgraph")


def graph_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class MembershipEvent:
    """One effective membership change."""

    action: Literal["add", "remove"]
    group_id: str
    user_id: str
    at: datetime


@dataclass
class GraphTenant:
    """State of one mock Entra ID tenant."""

    tenant_id: str = "common"
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    groups: dict[str, dict[str, Any]] = field(default_factory=dict)
    members: dict[str, list[str]] = field(default_factory=dict)
    """Group id -> member object ids."""
    roles: dict[str, dict[str, Any]] = field(default_factory=dict)
    role_members: dict[str, list[str]] = field(default_factory=dict)
    applications: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Application object id -> application (``passwordCredentials`` keep ``secretText`` for the grant)."""
    access_tokens: dict[str, dict[str, Any]] = field(default_factory=dict)
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    password_sets: Counter[str] = field(default_factory=Counter)
    used_assertion_ids: set[str] = field(default_factory=set)
    """``jti`` of every client assertion accepted (a replay is refused)."""
    """Password profile changes (resets), per user id."""
    enables: Counter[str] = field(default_factory=Counter)
    """``accountEnabled`` false -> true transitions (unblocks), per user id."""
    membership_log: list[MembershipEvent] = field(default_factory=list)
    credential_events: list[tuple[str, str, str]] = field(default_factory=list)
    """(added/removed, application id, keyId)."""

    @classmethod
    def load(
        cls, folder: str | Path | None = None, *, clock: Callable[[], datetime] | None = None
    ) -> GraphTenant:
        root = Path(folder) if folder is not None else FIXTURES

        def values(name: str) -> Any:
            path = root / name
            return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {"value": []}

        apps = values("applications.json")
        tenant = cls(tenant_id=str(apps.get("tenantId") or "common"))
        if clock is not None:
            tenant.clock = clock
        for group in values("groups.json")["value"]:
            group = dict(group)
            tenant.members[group["id"]] = [m["id"] for m in group.pop("members", [])]
            tenant.groups[group["id"]] = group
        for role in values("directory_roles.json")["value"]:
            role = dict(role)
            tenant.role_members[role["id"]] = [m["id"] for m in role.pop("members", [])]
            tenant.roles[role["id"]] = role
        tenant.users = {u["id"]: dict(u) for u in values("users.json")["value"]}
        tenant.applications = {a["id"]: json.loads(json.dumps(a)) for a in apps["value"]}
        return tenant

    def user(self, key: str) -> dict[str, Any] | None:
        """By object id or by userPrincipalName (case-insensitive), as ``/users/{id|upn}`` does."""
        if key in self.users:
            return self.users[key]
        wanted = key.casefold()
        return next((u for u in self.users.values() if u["userPrincipalName"].casefold() == wanted), None)

    def member_of(self, object_id: str) -> list[tuple[str, dict[str, Any]]]:
        """(odata type, object) of every group and directory role holding `object_id`."""
        found = [
            ("#microsoft.graph.group", self.groups[g]) for g, ids in self.members.items() if object_id in ids
        ]
        found += [
            ("#microsoft.graph.directoryRole", self.roles[r])
            for r, ids in self.role_members.items()
            if object_id in ids
        ]
        return found

    def add_member(self, group_id: str, user_id: str) -> bool:
        ids = self.members[group_id]
        if user_id in ids:
            return False
        ids.append(user_id)
        self.membership_log.append(MembershipEvent("add", group_id, user_id, self.clock()))
        return True

    def remove_member(self, group_id: str, user_id: str) -> bool:
        ids = self.members[group_id]
        if user_id not in ids:
            return False
        ids.remove(user_id)
        self.membership_log.append(MembershipEvent("remove", group_id, user_id, self.clock()))
        return True

    def add_certificate(
        self, app_id: str, certificate_pem: str, display_name: str = "CN=opspack"
    ) -> dict[str, Any]:
        """Upload a certificate credential (``keyCredentials``) to the app registration with `app_id`."""
        import base64
        import hashlib

        from cryptography import x509
        from cryptography.hazmat.primitives.serialization import Encoding

        app = self.application_by_app_id(app_id)
        if app is None:
            raise KeyError(f"no application with appId {app_id!r}")
        cert = x509.load_pem_x509_certificate(certificate_pem.encode())
        der = cert.public_bytes(Encoding.DER)
        credential = {
            "customKeyIdentifier": hashlib.sha1(der, usedforsecurity=False).hexdigest().upper(),
            "displayName": display_name, "keyId": str(uuid.uuid4()), "type": "AsymmetricX509Cert",
            "usage": "Verify", "key": base64.b64encode(der).decode(),
            "startDateTime": graph_time(cert.not_valid_before_utc), "endDateTime": graph_time(cert.not_valid_after_utc),
        }  # fmt: skip
        app.setdefault("keyCredentials", []).append(credential)
        return credential

    def application_by_app_id(self, app_id: str) -> dict[str, Any] | None:
        return next((a for a in self.applications.values() if a.get("appId") == app_id), None)

    def issue_access_token(self, app_id: str, ttl: int = 3599) -> str:
        token = "mock-graph-at-" + secrets.token_urlsafe(24)
        self.access_tokens[token] = {"appId": app_id, "expires_at": self.clock().timestamp() + ttl}
        return token
