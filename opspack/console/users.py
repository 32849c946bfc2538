"""The console's users file: who may log in, with which role, deciding as which policy approver.

```yaml
users:
  alice:
    name: Alice Adams
    role: approver          # viewer < approver < admin
    approver: alice         # her id under the policy's `approvers:`; decisions are taken as it
    password_hash: scrypt$131072$8$1$...   # written by `opspack console add-user`
```

The same file is the approver record store of the command line (docs/IDENTITY.md): `opspack
console add-user` pins it in the governance database, and CLI approvers present the password whose
hash is here. It is written 0600 and refused when group/others may write it.

Behind an authenticating proxy (header login) the same file gives roles and approver mappings and
``password_hash`` may be left out. The file fails closed like the policy: unknown keys, a role
that does not exist, an approver the policy does not declare or a malformed hash stop the console
from starting, with the file, the user and the problem named.
"""

from __future__ import annotations

import os
import re
import stat
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from governance.policy import Policy
from governance.secrets import write_private_file
from opspack.console.errors import ConsoleConfigError
from opspack.console.passwords import check_hash_format

USERNAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._@+-]{0,199}$"


class Role(StrEnum):
    """What a user may do; each role includes the ones before it."""

    VIEWER = "viewer"
    """Read the inbox, case files, timelines and dashboards."""
    APPROVER = "approver"
    """Also approve, reject and edit held actions (as their policy approver identity)."""
    ADMIN = "admin"
    """Also flip the runtime kill switches."""

    @property
    def rank(self) -> int:
        return list(Role).index(self)

    def includes(self, other: Role) -> bool:
        return self.rank >= other.rank


class UserEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    role: Role
    name: str = ""
    """Display name; the user name is shown when empty."""
    approver: str | None = None
    """The policy approver id this user decides as; required for role approver."""
    password_hash: str | None = None
    """scrypt hash for local login; absent for users who only come through the proxy."""

    @field_validator("password_hash")
    @classmethod
    def _known_hash(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                check_hash_format(value)
            except ConsoleConfigError as exc:
                raise ValueError(str(exc)) from None
        return value

    @model_validator(mode="after")
    def _approver_matches_role(self) -> UserEntry:
        if self.role is Role.APPROVER and not self.approver:
            raise ValueError("role approver needs `approver:` (the user's id under the policy's approvers)")
        if self.role is Role.VIEWER and self.approver:
            raise ValueError("a viewer cannot decide approvals: remove `approver:` or raise the role")
        return self


class UsersFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    users: dict[str, UserEntry] = Field(default_factory=dict)

    @field_validator("users")
    @classmethod
    def _names(cls, value: dict[str, UserEntry]) -> dict[str, UserEntry]:
        for name in value:
            if not re.match(USERNAME_PATTERN, str(name)):
                raise ValueError(f"{name!r} is not a user name (letters, digits and . _ @ + -)")
        return value


def _problems(source: str, exc: ValidationError) -> str:
    lines = []
    for error in exc.errors():
        path = ".".join(str(part) for part in error["loc"]) or "(top level)"
        message = "unknown key" if error["type"] == "extra_forbidden" else error["msg"]
        lines.append(f"{source}: {path}: {message}")
    return "; ".join(lines)


def parse_users(data: Any, *, source: str) -> UsersFile:
    if data is None:
        data = {"users": {}}
    if not isinstance(data, dict):
        raise ConsoleConfigError(f"{source}: the users file must be a mapping with a `users:` key")
    try:
        return UsersFile.model_validate(data)
    except ValidationError as exc:
        raise ConsoleConfigError(_problems(source, exc)) from None


def check_records_file(path: Path) -> None:
    """Refuse a users file that others could rewrite: it holds the approver records (POSIX only).

    Group or others may not write it; its owner must be the reading user or root (an admin-owned
    file that approvers may read but not change is the intended deployment, docs/IDENTITY.md)."""
    if os.name != "posix":
        return
    try:
        info = path.stat()
    except FileNotFoundError:
        return
    except OSError as exc:
        raise ConsoleConfigError(f"{path}: cannot stat the users file: {exc.strerror}") from None
    mode = stat.S_IMODE(info.st_mode)
    if mode & 0o022:
        raise ConsoleConfigError(
            f"{path}: refusing a users file that group/others may write (mode {mode:04o}); run: chmod 600 {path}"
        )
    if info.st_uid not in (os.getuid(), 0):
        raise ConsoleConfigError(f"{path}: refusing a users file owned by another user (uid {info.st_uid})")


def load_users(path: Path) -> UsersFile:
    """Read and validate the users file; any problem raises `ConsoleConfigError`."""
    check_records_file(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConsoleConfigError(
            f"{path}: users file not found (create it with `opspack console add-user`)"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConsoleConfigError(f"{path}: cannot read the users file: {exc}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConsoleConfigError(f"{path}: not valid YAML: {exc}") from None
    return parse_users(data, source=str(path))


def check_against_policy(users: UsersFile, policy: Policy, *, source: str) -> None:
    """Every approver mapping must name an approver the policy declares."""
    problems = [
        f"{source}: users.{name}.approver: {entry.approver!r} is not an approver in the policy "
        f"(declared: {', '.join(sorted(policy.approvers)) or 'none'})"
        for name, entry in users.users.items()
        if entry.approver and entry.approver not in policy.approvers
    ]
    if problems:
        raise ConsoleConfigError("; ".join(problems))


def write_user(
    path: Path,
    username: str,
    *,
    role: Role,
    approver: str | None,
    password_hash: str | None,
    name: str = "",
) -> UsersFile:
    """Add or replace one user and write the file back (created 0600; comments are not kept)."""
    current = load_users(path) if path.exists() else UsersFile()
    entry = {"role": role.value, "name": name, "approver": approver, "password_hash": password_hash}
    merged = {
        "users": {
            **{
                key: value.model_dump(mode="json", exclude_defaults=True)
                for key, value in current.users.items()
            },
            username: {key: value for key, value in entry.items() if value not in (None, "")},
        }
    }
    updated = parse_users(merged, source=str(path))
    text = "# opspack console users (docs/CONSOLE.md); written by `opspack console add-user`\n"
    text += yaml.safe_dump(merged, sort_keys=True, allow_unicode=True)
    write_private_file(path, text.encode("utf-8"))  # 0600 from the first byte, atomic, fsynced
    return updated


def set_password(path: Path, username: str, password_hash: str) -> UsersFile:
    """Replace one existing user's hash (rotation), keeping their role, approver and name."""
    current = load_users(path)
    entry = current.users.get(username)
    if entry is None:
        raise ConsoleConfigError(f"{path}: no user {username!r} to rotate (add them with `console add-user`)")
    return write_user(
        path, username, role=entry.role, approver=entry.approver, password_hash=password_hash, name=entry.name
    )
