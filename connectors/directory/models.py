"""Vendor-neutral identity models: what an agent needs to know about a person and a group.

They carry no vendor field names: each adapter translates its vendor's sign-in attribute into
`DirectoryUser.login`, and nothing outside ``connectors/<vendor>/`` ever sees the vendor spelling.

Secrets handed out by a password reset are `pydantic.SecretStr`: their ``repr``/``str`` print
``**********``, so a result that ends up in a log line, a ledger payload or a traceback does not
leak the one-time link or temporary password. Call ``.get_secret_value()`` only where the secret
is delivered to the person.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, SecretStr


class UserStatus(StrEnum):
    """Account states the service desk acts on, mapped from each vendor's lifecycle."""

    ACTIVE = "active"
    """Can sign in."""
    LOCKED = "locked"
    """Locked out (too many failed sign-ins, or sign-in blocked pending help-desk action)."""
    SUSPENDED = "suspended"
    """Deliberately disabled by an administrator or HR (leaver, investigation): never 'unlock' it."""
    RECOVERY = "recovery"
    """A password reset was issued and the user has not completed it yet."""
    PASSWORD_EXPIRED = "password_expired"
    """Must choose a new password at next sign-in."""
    STAGED = "staged"
    """Created but never activated."""
    DEPROVISIONED = "deprovisioned"
    """Deactivated; kept only for audit."""


class DirectoryUser(BaseModel):
    """One person's account as the directory reports it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(min_length=1)
    """The directory's immutable object id (not the login, which can be renamed)."""
    login: str = Field(min_length=1)
    """Sign-in name (Okta login, Entra user principal name); unique, compared case-insensitively."""
    email: str | None = None
    """Primary e-mail address; not guaranteed unique by every vendor."""
    display_name: str = ""
    """Human-readable name for messages and case files."""
    status: UserStatus
    """Lifecycle state, vendor-neutral."""
    manager_id: str | None = None
    """Directory id of the manager, when the directory records one (used for manager approval)."""
    department: str | None = None
    """Organisational unit, for routing and policy."""
    title: str | None = None
    """Job title."""
    password_changed_at: datetime | None = None
    """When the password was last set (by the user or an administrator)."""
    recovery_since: datetime | None = None
    """When a still-pending password reset was issued (a reset link not yet used), if any."""

    @property
    def last_reset_at(self) -> datetime | None:
        """The latest credential event: a password set or a reset issued.

        The executor reconciles an uncertain ``reset_password`` by comparing this to the time it
        sent the request: a later value means the reset happened and must not be sent again.
        """
        stamps = [s for s in (self.password_changed_at, self.recovery_since) if s is not None]
        return max(stamps) if stamps else None

    def reset_since(self, moment: datetime) -> bool:
        """Whether a reset took effect at or after `moment` (the reconcile question).

        Directories stamp times to the second (Graph) or millisecond (Okta), so `moment` is
        truncated to the second before comparing: a reset sent in the same second still counts.
        """
        last = self.last_reset_at
        return last is not None and last >= moment.replace(microsecond=0)


class Group(BaseModel):
    """A group that grants access."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(min_length=1)
    """The directory's immutable group id."""
    name: str = Field(min_length=1)
    """Display name, e.g. ``VPN-Users``."""
    description: str = ""
    """Free-text description from the directory."""
    privileged: bool | None = None
    """True when the vendor itself marks the group as privileged (Entra role-assignable groups).

    None means the vendor does not say; the governance policy decides from the group's name.
    Never False: a vendor's silence is not evidence that a group is harmless.
    """


class ResetDelivery(StrEnum):
    """How the new credential reaches the person."""

    RESET_LINK = "reset_link"
    """A one-time link the person opens to choose a password (Okta ``resetPasswordUrl``)."""
    TEMPORARY_PASSWORD = "temporary_password"
    """A temporary password that must be changed at next sign-in."""
    EMAILED = "emailed"
    """The directory e-mailed the person itself; nothing is returned to the caller."""


class ResetResult(BaseModel):
    """The outcome of a password reset; ``secret`` never prints."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    user_id: str = Field(min_length=1)
    """Whose password was reset."""
    delivery: ResetDelivery
    """What the secret is (or that there is none because the directory sent an e-mail)."""
    secret: SecretStr | None = None
    """The one-time link or temporary password; None when ``delivery`` is ``emailed``."""
    must_change_at_next_sign_in: bool = True
    """Whether the person is forced to choose a new password when they next sign in."""
    issued_at: datetime
    """When the directory accepted the reset (UTC)."""
