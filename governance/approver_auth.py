"""Who is approving? An approver proves it with a secret checked against an admin-owned record.

Approver records -- a name, the policy approver id it decides as, and a *salted scrypt hash* of the
approver's secret -- live in one store that the console and the CLI share (the console users file,
written by ``opspack console add-user``; docs/IDENTITY.md). Nothing here reads a secret, a hash
or a store location from the caller's environment: the environment may only carry what the caller
*presents* (``OPSPACK_APPROVER_TOKEN``), which is then checked against the stored hash.

Where the records live is pinned in the governance database itself (table ``approver_store``,
written when an admin adds an approver). A caller who points the CLI at another users file
(``--users``, ``OPSPACK_CONSOLE_USERS``) gets a refusal, not a second source of truth; a caller who
points it at another database approves requests in that other database, which the real one never
sees. What remains is documented in docs/IDENTITY.md: anyone who can write the database or the
records file can already act as anyone.

`authenticate_approver` is the only way to obtain an `AuthenticatedApprover`, the value that
`Governor`-side sign-offs (autonomy promotion and manual demotion) require.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import select

from governance.errors import ApprovalError
from governance.schema import approver_store_table
from governance.store import Store

APPROVER_TOKEN_ENV = "OPSPACK_APPROVER_TOKEN"
"""The caller *presents* their secret here (or at a hidden prompt); it is never a stored value."""

_PIN_ROW = 1


class ApproverDirectory(Protocol):
    """The approver records: checks a presented secret for an approver id."""

    def verify(self, approver: str, presented: str) -> str | None:
        """The record name (user) whose stored hash matches `presented` for `approver`, else None.

        Must cost the same whether or not `approver` has a record (no fast "unknown" answer)."""
        ...

    def describe(self) -> str:
        """Where the records are, for messages (never a hash or a secret)."""
        ...


_SEAL = object()


@dataclass(frozen=True)
class AuthenticatedApprover:
    """An approver id whose secret was just checked; only `authenticate_approver` makes one."""

    approver: str
    principal: str
    """The record (console user name) whose secret was presented."""
    method: str
    """How: ``password`` (secret against the stored scrypt hash)."""
    store: str
    """Where the record was read (a path), for the ledger."""
    seal: object = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.seal is not _SEAL:
            raise ApprovalError("an authenticated approver comes only from authenticate_approver()")

    def evidence(self) -> dict[str, Any]:
        """What the ledger records about the sign-off's authentication (never the secret)."""
        return {
            "approver": self.approver,
            "principal": self.principal,
            "method": self.method,
            "store": self.store,
        }


def authenticate_approver(
    approver: str, presented: str | None, directory: ApproverDirectory
) -> AuthenticatedApprover:
    """The approver, once `presented` matches their stored hash; otherwise `ApprovalError`."""
    approver = approver.strip()
    if not approver:
        raise ApprovalError("name yourself with --as/--by (your approver id in the policy)")
    if not presented:
        raise ApprovalError(
            f"acting as approver {approver!r} needs your approver secret (your console password) in "
            f"{APPROVER_TOKEN_ENV} or at the prompt"
        )
    principal = directory.verify(approver, presented)
    if principal is None:
        raise ApprovalError(
            f"the secret presented is not approver {approver!r}'s (checked against {directory.describe()}); "
            "an admin sets approver secrets with `opspack console add-user` / `rotate-password`"
        )
    return AuthenticatedApprover(approver, principal, "password", directory.describe(), seal=_SEAL)


# --- where the records live, pinned in the database ------------------------------------------


def pin_approver_store(store: Store, location: Path, *, registered_by: str) -> Path:
    """Record `location` (made absolute) as this database's approver records; returns it.

    An admin action (``opspack console add-user``): the pin moves only when an admin writes it."""
    resolved = location.expanduser().resolve()
    row = {
        "location": str(resolved),
        "registered_by": registered_by,
        "registered_at": datetime.now(UTC).isoformat(),
    }
    with store.begin() as connection:
        found = connection.execute(
            select(approver_store_table.c.id).where(approver_store_table.c.id == _PIN_ROW)
        ).first()
        if found is None:
            connection.execute(approver_store_table.insert().values(id=_PIN_ROW, **row))
        else:
            connection.execute(
                approver_store_table.update().where(approver_store_table.c.id == _PIN_ROW).values(**row)
            )
    return resolved


def pinned_approver_store(store: Store) -> Path | None:
    """The approver records' location pinned in this database, or None when none was registered."""
    with store.connect() as connection:
        location = connection.execute(
            select(approver_store_table.c.location).where(approver_store_table.c.id == _PIN_ROW)
        ).scalar_one_or_none()
    return Path(location) if location else None


def require_pinned_store(store: Store, requested: Path | None = None) -> Path:
    """The pinned location; `ApprovalError` when there is none or `requested` names another file."""
    pinned = pinned_approver_store(store)
    if pinned is None:
        raise ApprovalError(
            f"no approver records are registered in this database ({store.redacted_url}); an admin "
            "adds approvers with `opspack console add-user NAME --role approver --approver ID`"
        )
    if requested is not None and requested.expanduser().resolve() != pinned:
        raise ApprovalError(
            f"approver records for this database are {pinned}, not {requested}; "
            "another users file is not a source of approver identity"
        )
    return pinned


class FakeApproverDirectory:
    """A test double for `ApproverDirectory`: approver id -> secret, held in memory (no hashing).

    For tests and examples only; a deployment's records are the pinned users file."""

    def __init__(self, secrets: dict[str, str]) -> None:
        self._secrets = dict(secrets)

    def verify(self, approver: str, presented: str) -> str | None:
        expected = self._secrets.get(approver)
        if expected is None or not hmac.compare_digest(expected.encode(), presented.encode()):
            return None
        return approver

    def describe(self) -> str:
        return "an in-memory approver directory (test double)"
