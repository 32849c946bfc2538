"""A stateful imitation of Okta's Management API, seeded from ``fixtures/okta/``."""

from __future__ import annotations

from mocks.okta.mock import OktaMock
from mocks.okta.state import MembershipEvent, OktaOrg

__all__ = ["MembershipEvent", "OktaMock", "OktaOrg"]
