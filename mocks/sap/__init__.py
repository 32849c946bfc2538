"""SAP S/4HANA OData v2 mock (`SapMock`), seeded from ``fixtures/sap/``."""

from __future__ import annotations

from mocks.sap.mock import SapMock

__all__ = ["SapMock"]
