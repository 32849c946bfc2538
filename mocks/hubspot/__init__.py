"""A stateful, vendor-faithful mock of HubSpot CRM v3 (objects, search, associations, owners, pipelines)."""

from __future__ import annotations

from mocks.hubspot.mock import HubSpotMock
from mocks.hubspot.portal import Portal, PortalError

__all__ = ["HubSpotMock", "Portal", "PortalError"]
