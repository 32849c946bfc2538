"""Shared test data for identity tests: a small policy and a clock that tests move by hand."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from connectors.errors import AuthenticationError
from connectors.rotation import RotatedCredential

START = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)

POLICY_DATA: dict[str, Any] = {
    "systems": {
        "servicenow": {"kind": "itsm"},
        "okta": {"kind": "directory"},
        "sap": {"kind": "erp"},
    },
    "agents": {
        "service_desk": {
            "identity": {"id": "agent-service-desk", "owner": "it-ops@example.com", "description": "L1 desk"},
            "systems": {
                "servicenow": ["itsm.create_incident"],
                "okta": ["directory.reset_password"],
            },
            "escalation": {"default": {"queue": "L2", "sla_hours": 8}},
            "credentials": {"servicenow": {"rotation_days": 90}, "okta": {"rotation_days": 30}},
        },
        "ap_clerk": {
            "identity": {"id": "agent-ap-clerk", "owner": "finance-ops@example.com"},
            "systems": {"sap": ["erp.post_invoice"]},
            "escalation": {"default": {"queue": "AP", "sla_hours": 24}},
            "credentials": {"sap": {"rotation_days": 60}},
        },
    },
}


class FixedClock:
    """A clock tests move by hand."""

    def __init__(self, start: datetime = START) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


ROTATED_PASSWORD = "rotated-Password-From-Vendor-9"


class PlainAdapter:
    """A test adapter (registered under a test-only name) without rotation support."""

    kind = "itsm"
    adapter_name = "fake_plain"

    def __init__(self, credentials: Mapping[str, str]) -> None:
        self.credentials = dict(credentials)

    @classmethod
    def from_config(cls, connection: Any, credentials: Mapping[str, str], session: Any) -> PlainAdapter:
        return cls(credentials)


class RotatingAdapter(PlainAdapter):
    """A test adapter that can rotate its password (and fails like a vendor for one value)."""

    adapter_name = "fake_rotating"

    def rotate_credential(self) -> RotatedCredential:
        if self.credentials.get("password") == "vendor-refuses-this-password":
            raise AuthenticationError(
                f"token endpoint said: invalid_client for password={self.credentials['password']} "
                f"(Authorization: Basic {self.credentials['password']})",
                vendor="servicenow",
                endpoint="POST /oauth_token.do",
                status=401,
            )
        return RotatedCredential(
            name="password", new_secret=ROTATED_PASSWORD, rotated_at=START + timedelta(days=1)
        )


CONNECTIONS_YAML = """
connections:
  servicenow:
    adapter: {adapter}
    base_url: https://servicenow.mock
    credentials:
      service_desk:
        username: literal:svc_desk
        password: secret:servicenow/service_desk/password
"""
