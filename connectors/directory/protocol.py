"""`DirectoryConnector`: the one seam between the service-desk agent and an identity provider.

Semantics every implementation keeps (the conformance suite checks each one):

- **Exact lookups only.** ``find_user`` matches a login, an e-mail or an id exactly
  (case-insensitively for login and e-mail). A look-alike (``jsmlth`` for ``jsmith``) is *no
  match*, never a "did you mean": resetting a look-alike's password is how help-desk social
  engineering succeeds. An e-mail shared by several accounts raises `AmbiguousUserError`.
- **Idempotent membership.** Adding a member who is already in the group, or removing one who is
  not, succeeds silently, whatever the vendor's own status code; an unknown group or user raises
  `connectors.errors.NotFoundError`.
- **Reconcilable writes.** A write that may or may not have happened raises
  `connectors.errors.OutcomeUnknownError`; the caller then reads `is_member` or
  `DirectoryUser.last_reset_at` before deciding to send again.
- **Secrets stay secret.** `ResetResult.secret` is a `SecretStr`.
"""

from __future__ import annotations

from typing import ClassVar, Protocol, runtime_checkable

from connectors.directory.models import DirectoryUser, Group, ResetResult


@runtime_checkable
class DirectoryConnector(Protocol):
    """Users, password reset, unlock and group membership in one identity provider."""

    kind: ClassVar[str]
    """Always ``"directory"``."""

    def find_user(
        self, *, login: str | None = None, email: str | None = None, user_id: str | None = None
    ) -> DirectoryUser | None:
        """The one user whose login, e-mail or id (exactly one given) matches exactly, or None."""
        ...

    def get_user(self, user_id: str) -> DirectoryUser:
        """The user with this directory id; `NotFoundError` if there is none."""
        ...

    def reset_password(self, user_id: str, *, send_email: bool = False) -> ResetResult:
        """Issue a password reset; with ``send_email`` the directory e-mails the person itself."""
        ...

    def unlock(self, user_id: str) -> DirectoryUser:
        """Clear a lockout and return the user as it now is; `RejectedError` unless LOCKED."""
        ...

    def list_groups(self, query: str | None = None) -> list[Group]:
        """All groups, or those whose name starts with ``query`` (case-insensitive)."""
        ...

    def user_groups(self, user_id: str) -> list[Group]:
        """The groups the user is a direct member of."""
        ...

    def add_member(self, group_id: str, user_id: str) -> None:
        """Make the user a member of the group; already a member is success."""
        ...

    def remove_member(self, group_id: str, user_id: str) -> None:
        """Take the user out of the group; not a member is success."""
        ...

    def is_member(self, user_id: str, group_id: str) -> bool:
        """Whether the user is a direct member of the group (reads, never writes)."""
        ...
