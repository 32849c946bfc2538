"""A stateful Jira Service Management + Jira platform mock seeded from fixtures/jsm."""

from __future__ import annotations

from mocks.jsm.mock import JsmMock

__all__ = ["JsmMock"]
