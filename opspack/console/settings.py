"""Everything `create_app` needs, in one frozen value the CLI (or a test) builds."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Literal

from governance.ledger import utc_now
from governance.runtime import PerformersFactory
from opspack.settings import FIXTURES_DIR, policy_path

AuthMode = Literal["local", "header"]
SECRET_KEY_ENV = "OPSPACK_CONSOLE_SECRET"


def measurement_config_path() -> Path:
    """``OPSPACK_AUTONOMY`` or the example measurement config (as ``opspack metrics`` uses)."""
    return Path(os.environ.get("OPSPACK_AUTONOMY", FIXTURES_DIR / "autonomy.yaml"))


def models_root_path() -> Path:
    """``OPSPACK_MODELS`` or ``models`` (as ``opspack models --root`` defaults to)."""
    return Path(os.environ.get("OPSPACK_MODELS", "models"))


@dataclass(frozen=True)
class ConsoleSettings:
    users_file: Path
    """Users, roles, approver mappings and password hashes (docs/CONSOLE.md)."""
    secret_key: str
    """Signs session cookies and CSRF tokens; at least 32 bytes. Rotating it ends every session."""
    database_url: str | None = None
    """The project store; None = ``OPSPACK_DATABASE_URL`` or ``.opspack/opspack.db``."""
    policy_file: Path = field(default_factory=policy_path)
    """Re-read when it changes on disk (a promotion rewrites it)."""
    measurement_config: Path = field(default_factory=measurement_config_path)
    models_root: Path = field(default_factory=models_root_path)
    """The model registry a label corrected in the console is recorded in (`opspack models`)."""
    auth_mode: AuthMode = "local"
    """``local``: a login form against the users file. ``header``: an authenticating proxy names the user."""
    auth_header: str = "X-Forwarded-User"
    """The header the proxy sets in ``header`` mode."""
    trusted_proxies: tuple[str, ...] = ("127.0.0.1", "::1")
    """Client addresses whose `auth_header` is believed; from anywhere else it is ignored."""
    secure_cookies: bool = True
    """Mark cookies ``Secure`` (HTTPS only). Turn off only for plain-http work on localhost."""
    session_hours: float = 8.0
    performers: PerformersFactory | None = None
    """How approvals reach the target systems; None = the one registered with the runtime, if any."""
    clock: Callable[[], datetime] = utc_now
    login_attempts: int = 5
    """Failed logins from one client for one user name before that pair is backed off."""
    login_backoff_seconds: float = 30.0
    """The first back-off; each further failure doubles it (per client and user name)."""
    lockout_minutes: float = 15.0
    """The longest back-off."""
    login_burst: int = 20
    """Login attempts one client address may make at once (token bucket size)."""
    login_per_minute: float = 20.0
    """How fast a client's login attempts refill."""
    hash_workers: int = 2
    """Password derivations that may run at once (each about 128 MiB at the default scrypt cost)."""
    hash_queue: int = 4
    """Logins that may wait for a hashing worker; beyond that a login is refused at once (503)."""
    hash_wait_seconds: float = 5.0
    """The longest a login waits for a hashing worker before it is refused (503)."""
    login_clock: Callable[[], float] = time.monotonic
    """Monotonic seconds for the login limits (tests advance it by hand)."""
