"""Microsoft Graph v1.0 adapter for the `DirectoryConnector` Protocol."""

from __future__ import annotations

from connectors.msgraph.adapter import GraphAdapter

__all__ = ["GraphAdapter"]
