"""HubSpot CRM adapter (CRM v3 objects, search, associations; private-app bearer token)."""

from __future__ import annotations

from connectors.hubspot.adapter import HubSpotAdapter
from connectors.hubspot.records import HubSpotOptions

__all__ = ["HubSpotAdapter", "HubSpotOptions"]
