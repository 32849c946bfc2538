"""The global "no live calls" switch.

With ``OPSPACK_NO_LIVE_CALLS=1`` (the test suite sets it for every test, CI and laptops alike)
nothing in opspack may reach a real vendor or a real LLM: HTTP requests are allowed only to
loopback addresses and to the mocks' in-process transport, and LLM calls only to fake models.
Each layer calls `ensure_live_allowed` at its single exit point (the HTTP session wrapper, the
LLM router), so the guard is one seam, not a flag in every implementation.
"""

from __future__ import annotations

import ipaddress
import os
from urllib.parse import urlsplit

from connectors.errors import ConnectorLayerError

NO_LIVE_CALLS_ENV = "OPSPACK_NO_LIVE_CALLS"
_LOCAL_HOSTS = {"localhost", "mock", "testserver"}


class LiveCallBlocked(ConnectorLayerError, RuntimeError):
    """A real network or model call was attempted while live calls are switched off."""


def live_calls_forbidden() -> bool:
    return os.environ.get(NO_LIVE_CALLS_ENV, "").strip().lower() in {"1", "true", "yes", "on"}


def is_local_url(url: str) -> bool:
    """True for loopback hosts and the reserved in-process mock hosts (``*.mock``)."""
    host = (urlsplit(url).hostname or "").lower()
    if host in _LOCAL_HOSTS or host.endswith(".mock") or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def ensure_live_allowed(what: str, *, url: str | None = None) -> None:
    """Raise `LiveCallBlocked` if `what` would leave the machine while live calls are off.

    `url` is the destination of an HTTP call (local destinations always pass); without a URL the
    call is assumed to be live (a real LLM provider).
    """
    if not live_calls_forbidden():
        return
    if url is not None and is_local_url(url):
        return
    target = f" to {url}" if url else ""
    raise LiveCallBlocked(
        f"live call blocked: {what}{target} ({NO_LIVE_CALLS_ENV} is set; use a mock or a fake model)"
    )
