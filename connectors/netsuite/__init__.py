"""NetSuite adapter (SuiteTalk REST record v1 + SuiteQL): `NetSuiteAdapter`."""

from __future__ import annotations

from connectors.netsuite.adapter import NetSuiteAdapter

__all__ = ["NetSuiteAdapter"]
