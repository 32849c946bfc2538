"""Identity directories (Okta, Microsoft Graph): the `DirectoryConnector` Protocol, its models,
an in-memory `FakeDirectory` and the conformance suite every implementation passes."""

from __future__ import annotations

from connectors.directory.errors import AmbiguousUserError
from connectors.directory.fake import FakeDirectory, MembershipChange
from connectors.directory.models import DirectoryUser, Group, ResetDelivery, ResetResult, UserStatus
from connectors.directory.protocol import DirectoryConnector

__all__ = [
    "AmbiguousUserError",
    "DirectoryConnector",
    "DirectoryUser",
    "FakeDirectory",
    "Group",
    "MembershipChange",
    "ResetDelivery",
    "ResetResult",
    "UserStatus",
]
