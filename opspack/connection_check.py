"""`opspack connections check`: authenticate and make one harmless read per connection and agent.

Each check builds the connector exactly as the agents get it (`opspack.wiring`), then asks one
read that changes nothing (a vendor search, a ticket lookup by an unused business key...). A
failure is classified by what the operator does next -- missing secret, bad credentials, TLS,
unreachable, configuration -- and reported with vendor, host and endpoint, never a secret.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import requests

from connectors.errors import (
    AuthenticationError,
    ConfigurationError,
    ConnectorError,
    NotFoundError,
    RetriableError,
    TransportError,
)
from connectors.live import LiveCallBlocked
from governance.errors import CredentialError
from governance.redaction import redact
from opspack.mock_connections import host_of
from opspack.wiring import KINDS, Wiring

PROBE_KEY = "opspack-connection-check"
"""A business key / name no real record carries: the probes find nothing and change nothing."""

PROBES: dict[str, tuple[str, Callable[[Any], object]]] = {
    "erp": ("search vendors by name", lambda c: c.search_vendors(name=PROBE_KEY)),
    "itsm": ("find a ticket by business key", lambda c: c.find_ticket(PROBE_KEY)),
    "crm": ("find accounts by name", lambda c: c.find_accounts_by_name(PROBE_KEY, limit=1)),
    "directory": ("find a user by login", lambda c: c.find_user(login=f"{PROBE_KEY}@example.invalid")),
}


@dataclass(frozen=True)
class CheckResult:
    connection: str
    agent: str
    adapter: str
    host: str
    ok: bool
    read: str = ""
    problem: str = ""
    """``missing_secret``, ``bad_credentials``, ``tls``, ``unreachable``, ``configuration``, ``error``."""
    endpoint: str | None = None
    status: int | None = None
    error: str = ""
    advice: str = ""
    seconds: float = 0.0

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def _tls_failure(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, requests.exceptions.SSLError) or "CERTIFICATE_VERIFY_FAILED" in str(seen):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def classify(exc: BaseException, host: str) -> tuple[str, str]:
    """(problem, what to do) for a failed check."""
    text = str(exc)
    if isinstance(exc, CredentialError) or (
        isinstance(exc, ConfigurationError) and "could not be resolved" in text
    ):
        return "missing_secret", (
            "store the secret: `opspack secrets set <path>` (value on stdin) or set the "
            "OPSPACK_SECRET_<PATH> environment variable; the path is in the connections file"
        )
    if isinstance(exc, AuthenticationError):
        return "bad_credentials", (
            f"{host} rejected the credentials or their permissions: check the API user, its roles "
            "and scopes (docs/OPERATIONS.md) and the stored secret"
        )
    if _tls_failure(exc):
        return "tls", (
            f"the TLS certificate of {host} is not trusted: point REQUESTS_CA_BUNDLE at your CA "
            "bundle, or fix the certificate; never turn verification off"
        )
    if isinstance(exc, TransportError | LiveCallBlocked | requests.RequestException):
        return "unreachable", (
            f"{host} cannot be reached: check base_url in the connections file, DNS, firewall and proxy"
        )
    if isinstance(exc, ConfigurationError):
        return "configuration", "fix the connection in the connections file (the message names the key)"
    if isinstance(exc, RetriableError):
        return "unavailable", f"{host} answered but is busy or failing: retry later, check its status"
    return "error", f"{host} answered unexpectedly to a harmless read: see the error"


def check_connection(wiring: Wiring, name: str, agent: str) -> CheckResult:
    connection = wiring.connection(name)
    host = host_of(connection.base_url)
    started = time.perf_counter()
    read = ""
    try:
        connector = wiring.connector(name, agent=agent)
        kind = str(getattr(connector, "kind", ""))
        read, probe = PROBES.get(kind, ("", lambda c: None))
        if kind not in KINDS:
            raise ConfigurationError(
                f"adapter {connection.adapter!r} has no known kind ({kind!r}); nothing to read", vendor=name
            )
        with contextlib.suppress(NotFoundError):  # the probe looks for what does not exist: 404 is healthy
            probe(connector)
    except (ConnectorError, CredentialError, LiveCallBlocked, requests.RequestException) as exc:
        problem, advice = classify(exc, host)
        return CheckResult(
            connection=name,
            agent=agent,
            adapter=connection.adapter,
            host=host,
            ok=False,
            read=read,
            problem=problem,
            endpoint=getattr(exc, "endpoint", None),
            status=getattr(exc, "status", None),
            error=redact(str(exc)),
            advice=advice,
            seconds=round(time.perf_counter() - started, 3),
        )
    return CheckResult(
        connection=name,
        agent=agent,
        adapter=connection.adapter,
        host=host,
        ok=True,
        read=read,
        seconds=round(time.perf_counter() - started, 3),
    )


def check_connections(wiring: Wiring, names: list[str] | None = None) -> list[CheckResult]:
    """Every (connection, agent) pair of `names` (default: every connection in the file)."""
    results = []
    for name in names or sorted(wiring.connections.connections):
        connection = wiring.connection(name)
        for agent in sorted(connection.credentials) or [""]:
            results.append(check_connection(wiring, name, agent))
    return results
