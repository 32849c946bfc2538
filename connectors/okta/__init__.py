"""Okta Management API adapter for the `DirectoryConnector` Protocol."""

from __future__ import annotations

from connectors.okta.adapter import OktaAdapter

__all__ = ["OktaAdapter"]
