"""SAP S/4HANA adapter (OData v2): `SapS4HanaAdapter`."""

from __future__ import annotations

from connectors.sap.adapter import SapS4HanaAdapter

__all__ = ["SapS4HanaAdapter"]
