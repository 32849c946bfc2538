"""Credential rotation as an optional connector capability.

An adapter that can mint a new secret for its own identity (a new client secret, a new API
token) implements `SupportsCredentialRotation`; governance checks for it with ``isinstance`` and
stores the new secret through the secret provider. The new secret travels only inside
`RotatedCredential` and is never logged: its ``repr`` hides it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol, runtime_checkable

__all__ = ["RotatedCredential", "SupportsCredentialRotation"]


@dataclass(frozen=True)
class RotatedCredential:
    """A freshly issued secret for one credential key of a connection."""

    name: str
    """The credential key in the connection's credentials, e.g. ``client_secret``."""
    new_secret: str = field(repr=False)
    """The new value; store it, never print it."""
    rotated_at: datetime
    """When the vendor issued it (timezone-aware)."""


@runtime_checkable
class SupportsCredentialRotation(Protocol):
    """A connector that can rotate the credential it authenticates with."""

    def rotate_credential(self) -> RotatedCredential: ...
