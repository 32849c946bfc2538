"""Stateful imitations of the vendors' HTTP APIs, and the catalogue that finds them by name.

Vendor mocks are imported lazily: the framework (`mocks.base`, `mocks.transport`,
`mocks.server`) works without any of them, and asking for one that is missing or broken fails
with `MockNotAvailable` naming the module to look at.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING

from mocks.errors import MockError

if TYPE_CHECKING:
    from mocks.base import MockVendor

__all__ = ["MOCK_CLASSES", "MockNotAvailable", "load_all_mocks", "load_mock", "mock_class"]

MOCK_CLASSES: dict[str, str] = {
    "servicenow": "mocks.servicenow:ServiceNowMock",
    "jsm": "mocks.jsm:JsmMock",
    "sap_s4hana": "mocks.sap:SapMock",
    "netsuite": "mocks.netsuite:NetSuiteMock",
    "salesforce": "mocks.salesforce:SalesforceMock",
    "hubspot": "mocks.hubspot:HubSpotMock",
    "okta": "mocks.okta:OktaMock",
    "msgraph": "mocks.msgraph:GraphMock",
}
"""Vendor name (the same names as the built-in connector adapters) → ``module:Class``."""


class MockNotAvailable(MockError, LookupError):
    """A catalogued mock cannot be imported (unknown name, missing module or class)."""


def mock_class(name: str) -> type[MockVendor]:
    """Import and return the mock class registered under `name`."""
    from mocks.base import MockVendor

    target = MOCK_CLASSES.get(name)
    if target is None:
        raise MockNotAvailable(f"no mock named {name!r}; known mocks: {', '.join(sorted(MOCK_CLASSES))}")
    module_name, _, class_name = target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise MockNotAvailable(f"mock {name!r}: cannot import {module_name} ({exc})") from exc
    cls = getattr(module, class_name, None)
    if not isinstance(cls, type) or not issubclass(cls, MockVendor):
        raise MockNotAvailable(f"mock {name!r}: {target} is not a MockVendor subclass")
    return cls


def load_mock(name: str, fixtures: str | Path | None = None) -> MockVendor:
    """A fresh mock for `name`, seeded from its fixtures (``fixtures/<vendor>/`` by default)."""
    return mock_class(name).from_fixtures(fixtures)


def load_all_mocks(names: list[str] | None = None) -> dict[str, MockVendor]:
    """Fresh, seeded mocks for `names` (default: the whole catalogue), keyed by name."""
    return {name: load_mock(name) for name in (names or list(MOCK_CLASSES))}
