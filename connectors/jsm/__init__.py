"""Jira Service Management adapter: `ITSMConnector` over servicedeskapi and the Jira platform API."""

from __future__ import annotations

from connectors.jsm.adapter import JsmAdapter

__all__ = ["JsmAdapter"]
