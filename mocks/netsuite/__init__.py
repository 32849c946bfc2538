"""NetSuite REST record v1 + SuiteQL mock (`NetSuiteMock`), seeded from ``fixtures/netsuite/``."""

from __future__ import annotations

from mocks.netsuite.mock import ACCOUNT, CONSUMER_KEY, CONSUMER_SECRET, TOKEN_ID, TOKEN_SECRET, NetSuiteMock

__all__ = ["ACCOUNT", "CONSUMER_KEY", "CONSUMER_SECRET", "TOKEN_ID", "TOKEN_SECRET", "NetSuiteMock"]
