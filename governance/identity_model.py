"""Agent identities as the policy declares them, credential fingerprints, and the rows
`governance.identity.CredentialRegistry` reports (status, rotation results)."""

from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from governance.policy import Policy
from governance.secrets import check_private_file, create_private_file_once

FINGERPRINT_KEY_ENV = "OPSPACK_FINGERPRINT_KEY"
DEFAULT_FINGERPRINT_KEY_PATH = Path(".opspack") / "fingerprint.key"
EXTERNAL_ROTATION = "external"
"""`rotated_by` when opspack notices a changed secret it did not rotate itself."""


def as_utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; everything here is UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def utc_or_none(moment: datetime | None) -> datetime | None:
    return None if moment is None else as_utc(moment)


def _jsonable(row: Any) -> dict[str, Any]:
    """A result dataclass as JSON-ready data: times in ISO 8601, ages to 0.01 day."""
    data = asdict(row)
    for key, value in data.items():
        if isinstance(value, datetime):
            data[key] = value.isoformat()
        elif isinstance(value, float):
            data[key] = round(value, 2)
    return data


def load_fingerprint_key(path: Path = DEFAULT_FINGERPRINT_KEY_PATH) -> bytes:
    """``OPSPACK_FINGERPRINT_KEY`` or a random key file created 0600 (refused if others can read it)."""
    from_env = os.environ.get(FINGERPRINT_KEY_ENV, "")
    if from_env:
        return from_env.encode("utf-8")
    create_private_file_once(path, os.urandom(32).hex().encode("ascii") + b"\n")
    check_private_file(path, "fingerprint key file")
    return path.read_bytes().strip()


def fingerprint(secret: str, key: bytes) -> str:
    """``hs256:<key id>:<16 hex>``: a prefix of HMAC-SHA256(key, secret) that tells values apart and
    reveals nothing, tagged with which key made it (so a replaced key is never mistaken for a
    changed secret)."""
    key_id = hmac.new(key, b"opspack-fingerprint-key-id", hashlib.sha256).hexdigest()[:6]
    return f"hs256:{key_id}:" + hmac.new(key, secret.encode("utf-8"), hashlib.sha256).hexdigest()[:16]


def same_fingerprint_key(a: str, b: str) -> bool:
    return a.rsplit(":", 1)[0] == b.rsplit(":", 1)[0]


class AgentIdentity(BaseModel):
    """An agent's non-human identity as the policy declares it."""

    model_config = ConfigDict(frozen=True)

    agent: str
    """The agent's name in the policy (what `Action.agent` carries)."""
    id: str
    """Its own identity, never shared with another agent or a person."""
    owner: str
    """The accountable human."""
    description: str = ""
    systems: tuple[str, ...] = ()
    """Systems it holds credentials for (those with a rotation cadence in the policy)."""

    @classmethod
    def from_policy(cls, policy: Policy, agent: str) -> AgentIdentity:
        declared = policy.agent(agent)
        return cls(
            agent=agent,
            id=declared.identity.id,
            owner=declared.identity.owner,
            description=declared.identity.description,
            systems=tuple(sorted(declared.credentials)),
        )


def identities(policy: Policy) -> list[AgentIdentity]:
    return [AgentIdentity.from_policy(policy, name) for name in sorted(policy.agents)]


@dataclass(frozen=True)
class CredentialStatus:
    """One row of ``opspack credentials status``."""

    agent: str
    system: str
    identity: str | None
    rotation_days: int | None
    state: str
    """``ok``, ``overdue``, ``never_seen``, ``no_cadence`` or ``not_in_policy``."""
    overdue: bool = False
    credential: str | None = None
    """None when the policy sets a cadence but opspack has never resolved a credential there."""
    secret_path: str | None = None
    age_days: float | None = None
    due_at: datetime | None = None
    rotated_at: datetime | None = None
    rotated_by: str | None = None
    fingerprint: str | None = None

    def to_json(self) -> dict[str, Any]:
        return _jsonable(self)


@dataclass(frozen=True)
class RotationResult:
    """What `CredentialRegistry.rotate` did; carries the new fingerprint, never the secret."""

    agent: str
    system: str
    credential: str
    path: str
    """Where the new secret was stored (its secret path)."""
    adapter: str
    rotated_at: datetime
    fingerprint: str
    previous_fingerprint: str | None
    stored_in: str
    ledger_record: str = ""
    """Id of the ``credential_rotated`` ledger record."""
    warning: str | None = None
    """Set when the new secret is stored but another provider still shadows it."""

    def to_json(self) -> dict[str, Any]:
        return _jsonable(self)


def adapter_name(connector: object) -> str:
    """How messages and the ledger name an adapter: its ``adapter_name``, ``vendor``, or class name."""
    for attribute in ("adapter_name", "vendor"):
        value = getattr(connector, attribute, None)
        if isinstance(value, str) and value:
            return value
    return type(connector).__name__
