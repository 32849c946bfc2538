"""The console users file as the one approver directory the console and the CLI share.

A user whose role includes ``approver`` and who names ``approver: <id>`` is a record for that
policy approver; their console password (stored only as a salted scrypt hash) is the secret they
present at the command line too. `authenticate_cli_approver` is what ``opspack approvals
approve/reject`` and ``opspack autonomy promote/demote`` call.
"""

from __future__ import annotations

import getpass
import os
import sys
from pathlib import Path

from governance.approver_auth import (
    APPROVER_TOKEN_ENV,
    AuthenticatedApprover,
    authenticate_approver,
    require_pinned_store,
)
from governance.errors import ApprovalError
from governance.store import Store
from opspack.console.errors import ConsoleConfigError
from opspack.console.passwords import burn_equivalent_time, verify_password
from opspack.console.users import Role, load_users

USERS_ENV = "OPSPACK_CONSOLE_USERS"


class UsersFileDirectory:
    """`governance.approver_auth.ApproverDirectory` over the console users file (re-read per check)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def verify(self, approver: str, presented: str) -> str | None:
        try:
            users = load_users(self.path).users
        except ConsoleConfigError as exc:
            raise ApprovalError(f"approver records unusable: {exc}") from None
        candidates = [
            (name, entry.password_hash)
            for name, entry in sorted(users.items())
            if entry.approver == approver and entry.role.includes(Role.APPROVER) and entry.password_hash
        ]
        if not candidates:  # cost the same as a real check, so a missing record is not revealed by speed
            burn_equivalent_time(
                presented, like=next((u.password_hash for u in users.values() if u.password_hash), None)
            )
            return None
        for name, stored in candidates:
            if verify_password(presented, stored):
                return name
        return None

    def describe(self) -> str:
        return f"the approver records in {self.path}"


def presented_secret(approver: str) -> str | None:
    """What the caller presents: ``OPSPACK_APPROVER_TOKEN``, else a hidden prompt on a terminal."""
    presented = os.environ.get(APPROVER_TOKEN_ENV)
    if not presented and sys.stdin.isatty():
        presented = getpass.getpass(f"approver secret (console password) for {approver}: ")
    return presented or None


def authenticate_cli_approver(
    approver: str, store: Store, users: Path | None = None
) -> AuthenticatedApprover:
    """Check the caller's presented secret against the records pinned in `store`.

    `users` (or ``OPSPACK_CONSOLE_USERS``), when given, must be the pinned file: naming another
    users file is refused, never used."""
    requested = users or (Path(os.environ[USERS_ENV]) if os.environ.get(USERS_ENV) else None)
    location = require_pinned_store(store, requested)
    return authenticate_approver(approver, presented_secret(approver), UsersFileDirectory(location))
