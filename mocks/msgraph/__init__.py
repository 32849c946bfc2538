"""A stateful imitation of Microsoft Graph v1.0 (and its token endpoint), seeded from ``fixtures/msgraph/``."""

from __future__ import annotations

from mocks.msgraph.mock import GraphMock
from mocks.msgraph.state import GraphTenant, MembershipEvent

__all__ = ["GraphMock", "GraphTenant", "MembershipEvent"]
