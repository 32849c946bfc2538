"""`FakeDirectory`: an in-memory identity provider that behaves like the real ones.

Public API, not a test helper: agents, governance tests and demos use it where no mock server is
wanted. It keeps every `DirectoryConnector` rule (exact lookups, idempotent membership, status
checks, typed errors) and lets a test make the next call fail -- before or after the change is
applied -- to exercise reconcile-before-resend in the executor.
"""

from __future__ import annotations

import itertools
import secrets
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import ClassVar, Literal

from pydantic import SecretStr

from connectors.directory.errors import AmbiguousUserError
from connectors.directory.lookup import lookup_key
from connectors.directory.models import DirectoryUser, Group, ResetDelivery, ResetResult, UserStatus
from connectors.directory.sample import SAMPLE_GROUPS, SAMPLE_PEOPLE, password_changed_at
from connectors.errors import ConfigurationError, ConnectorError, NotFoundError, RejectedError

RESETTABLE = frozenset(
    {UserStatus.ACTIVE, UserStatus.LOCKED, UserStatus.RECOVERY, UserStatus.PASSWORD_EXPIRED}
)
"""States in which a password reset is allowed; never for suspended, staged or deprovisioned accounts."""

_WRITES = frozenset({"reset_password", "unlock", "add_member", "remove_member"})
_READS = frozenset({"find_user", "get_user", "list_groups", "user_groups", "is_member"})


@dataclass(frozen=True)
class MembershipChange:
    """One effective change to a group's membership (no-op requests are not changes)."""

    group_id: str
    user_id: str
    action: Literal["add", "remove"]
    at: datetime


@dataclass
class _Failure:
    error: ConnectorError
    after_applying: bool


class FakeDirectory:
    """In-memory `DirectoryConnector`; thread-safe; inspect ``resets``, ``unlocks``, ``membership_log``."""

    kind: ClassVar[str] = "directory"
    vendor: ClassVar[str] = "fake-directory"

    def __init__(self, *, clock: Callable[[], datetime] | None = None) -> None:
        self._clock = clock or (lambda: datetime.now(UTC))
        self._lock = threading.RLock()
        self._users: dict[str, DirectoryUser] = {}
        self._groups: dict[str, Group] = {}
        self._members: dict[str, set[str]] = {}
        self._ids = itertools.count(1)
        self._failures: dict[str, list[_Failure]] = {}
        self.resets: Counter[str] = Counter()
        """Password resets applied, per user id."""
        self.unlocks: Counter[str] = Counter()
        """Unlocks applied, per user id."""
        self.membership_log: list[MembershipChange] = []
        """Every effective add/remove, in order."""

    # -- seeding ---------------------------------------------------------------------------------

    @classmethod
    def sample(cls, *, clock: Callable[[], datetime] | None = None) -> FakeDirectory:
        """A fake holding the shared sample organisation (`connectors.directory.sample`)."""
        fake = cls(clock=clock)
        groups = {
            g.name: fake.add_group(
                g.name, description=g.description, privileged=True if g.role_assignable else None
            )
            for g in SAMPLE_GROUPS
        }
        ids: dict[str, str] = {}
        for index, p in enumerate(SAMPLE_PEOPLE):
            user = fake.add_user(
                p.login,
                email=p.email,
                display_name=p.display_name,
                status=p.status,
                department=p.department,
                title=p.title,
                password_changed_at=password_changed_at(index),
            )
            ids[p.handle] = user.id
        for p in SAMPLE_PEOPLE:
            if p.manager:
                fake._users[ids[p.handle]] = fake._users[ids[p.handle]].model_copy(
                    update={"manager_id": ids[p.manager]}
                )
            for name in p.groups:
                fake._members[groups[name].id].add(ids[p.handle])
        return fake

    def add_user(
        self,
        login: str,
        *,
        email: str | None = None,
        display_name: str = "",
        status: UserStatus = UserStatus.ACTIVE,
        manager_id: str | None = None,
        department: str | None = None,
        title: str | None = None,
        password_changed_at: datetime | None = None,
    ) -> DirectoryUser:
        """Create a user; `ConfigurationError` if the login is taken (logins are unique)."""
        with self._lock:
            if any(u.login.casefold() == login.casefold() for u in self._users.values()):
                raise ConfigurationError(f"login {login!r} already exists", vendor=self.vendor)
            user = DirectoryUser(
                id=f"fu{next(self._ids):05d}",
                login=login,
                email=email,
                display_name=display_name,
                status=status,
                manager_id=manager_id,
                department=department,
                title=title,
                password_changed_at=password_changed_at,
            )
            self._users[user.id] = user
            return user

    def add_group(self, name: str, *, description: str = "", privileged: bool | None = None) -> Group:
        """Create an empty group."""
        with self._lock:
            group = Group(
                id=f"fg{next(self._ids):05d}", name=name, description=description, privileged=privileged
            )
            self._groups[group.id] = group
            self._members[group.id] = set()
            return group

    def set_status(self, user_id: str, status: UserStatus) -> None:
        """Force a state, e.g. lock a user out as too many failed sign-ins would."""
        with self._lock:
            self._users[user_id] = self._user(user_id, "set_status").model_copy(update={"status": status})

    def fail_next(self, operation: str, error: ConnectorError, *, after_applying: bool = False) -> None:
        """Make the next call to ``operation`` raise ``error``, before or after it takes effect."""
        if operation not in _WRITES | _READS:
            raise ConfigurationError(f"unknown operation {operation!r}", vendor=self.vendor)
        if after_applying and operation in _READS:
            raise ConfigurationError(f"{operation} is a read: it has nothing to apply", vendor=self.vendor)
        with self._lock:
            self._failures.setdefault(operation, []).append(_Failure(error, after_applying))

    # -- DirectoryConnector ----------------------------------------------------------------------

    def find_user(
        self, *, login: str | None = None, email: str | None = None, user_id: str | None = None
    ) -> DirectoryUser | None:
        key, value = lookup_key(login, email, user_id, vendor=self.vendor, endpoint="find_user")
        with self._lock:
            self._maybe_fail("find_user", before=True)
            if key == "id":
                return self._users.get(value)
            wanted = value.casefold()
            matches = [
                u
                for u in self._users.values()
                if (u.login if key == "login" else (u.email or "")).casefold() == wanted
            ]
            if len(matches) > 1:
                raise AmbiguousUserError(
                    f"{len(matches)} accounts have {key} {value!r}", vendor=self.vendor, endpoint="find_user"
                )
            return matches[0] if matches else None

    def get_user(self, user_id: str) -> DirectoryUser:
        with self._lock:
            self._maybe_fail("get_user", before=True)
            return self._user(user_id, "get_user")

    def reset_password(self, user_id: str, *, send_email: bool = False) -> ResetResult:
        with self._lock:
            self._maybe_fail("reset_password", before=True)
            user = self._user(user_id, "reset_password")
            if user.status not in RESETTABLE:
                raise RejectedError(
                    f"cannot reset the password of a {user.status.value} account",
                    vendor=self.vendor,
                    endpoint="reset_password",
                )
            now = self._clock()
            self._users[user_id] = user.model_copy(
                update={"status": UserStatus.RECOVERY, "recovery_since": now}
            )
            self.resets[user_id] += 1
            self._maybe_fail("reset_password", before=False)
            if send_email:
                return ResetResult(user_id=user_id, delivery=ResetDelivery.EMAILED, issued_at=now)
            link = f"https://fake-directory.invalid/reset/{secrets.token_urlsafe(24)}"
            return ResetResult(
                user_id=user_id, delivery=ResetDelivery.RESET_LINK, secret=SecretStr(link), issued_at=now
            )

    def unlock(self, user_id: str) -> DirectoryUser:
        with self._lock:
            self._maybe_fail("unlock", before=True)
            user = self._user(user_id, "unlock")
            if user.status is not UserStatus.LOCKED:
                raise RejectedError(
                    f"cannot unlock a {user.status.value} account", vendor=self.vendor, endpoint="unlock"
                )
            self._users[user_id] = user = user.model_copy(update={"status": UserStatus.ACTIVE})
            self.unlocks[user_id] += 1
            self._maybe_fail("unlock", before=False)
            return user

    def list_groups(self, query: str | None = None) -> list[Group]:
        with self._lock:
            self._maybe_fail("list_groups", before=True)
            prefix = (query or "").casefold()
            return [g for g in self._groups.values() if g.name.casefold().startswith(prefix)]

    def user_groups(self, user_id: str) -> list[Group]:
        with self._lock:
            self._maybe_fail("user_groups", before=True)
            self._user(user_id, "user_groups")
            return [self._groups[gid] for gid, members in self._members.items() if user_id in members]

    def add_member(self, group_id: str, user_id: str) -> None:
        self._change("add", group_id, user_id)

    def remove_member(self, group_id: str, user_id: str) -> None:
        self._change("remove", group_id, user_id)

    def is_member(self, user_id: str, group_id: str) -> bool:
        with self._lock:
            self._maybe_fail("is_member", before=True)
            self._user(user_id, "is_member")
            return user_id in self._group_members(group_id, "is_member")

    # -- internals -------------------------------------------------------------------------------

    def _change(self, action: Literal["add", "remove"], group_id: str, user_id: str) -> None:
        operation = f"{action}_member"
        with self._lock:
            self._maybe_fail(operation, before=True)
            members = self._group_members(group_id, operation)
            self._user(user_id, operation)
            present = user_id in members
            if action == "add" and not present:
                members.add(user_id)
                self.membership_log.append(MembershipChange(group_id, user_id, "add", self._clock()))
            elif action == "remove" and present:
                members.discard(user_id)
                self.membership_log.append(MembershipChange(group_id, user_id, "remove", self._clock()))
            self._maybe_fail(operation, before=False)

    def _user(self, user_id: str, operation: str) -> DirectoryUser:
        try:
            return self._users[user_id]
        except KeyError:
            raise NotFoundError(
                f"no user with id {user_id!r}", vendor=self.vendor, endpoint=operation, status=404
            ) from None

    def _group_members(self, group_id: str, operation: str) -> set[str]:
        try:
            return self._members[group_id]
        except KeyError:
            raise NotFoundError(
                f"no group with id {group_id!r}", vendor=self.vendor, endpoint=operation, status=404
            ) from None

    def _maybe_fail(self, operation: str, *, before: bool) -> None:
        queue = self._failures.get(operation)
        if queue and queue[0].after_applying is not before:
            raise queue.pop(0).error
