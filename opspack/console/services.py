"""What every request handler shares: the store, the re-read policy and users, the signer, the clock.

One `ConsoleServices` lives on ``app.state.console``. Governors are built per request (they are
cheap) with the performers the settings name, so an approval executes in this process when it can
reach the target system, and is otherwise recorded for the agent's next submit (as in the CLI).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from governance.approver_auth import pinned_approver_store
from governance.ledger import Ledger
from governance.policy import Policy, load_policy
from governance.runtime import Governor, PerformersFactory
from governance.store import Store
from opspack.console.errors import ConsoleConfigError
from opspack.console.login_guard import Backoff, ClientRateLimiter, HashingPool, LoginGuard
from opspack.console.sessions import SessionSigner
from opspack.console.settings import ConsoleSettings
from opspack.console.sources import ReloadingFile
from opspack.console.users import UsersFile, check_against_policy, load_users


def login_guard(settings: ConsoleSettings) -> LoginGuard:
    """The login limits the settings ask for (opspack/console/login_guard.py)."""
    clock = settings.login_clock
    return LoginGuard(
        HashingPool(settings.hash_workers, settings.hash_queue, settings.hash_wait_seconds),
        ClientRateLimiter(settings.login_burst, settings.login_per_minute, clock),
        Backoff(
            settings.login_attempts, settings.login_backoff_seconds, settings.lockout_minutes * 60, clock
        ),
    )


class ConsoleServices:
    def __init__(self, settings: ConsoleSettings) -> None:
        self.settings = settings
        try:
            self.signer = SessionSigner(
                settings.secret_key, max_age_seconds=int(settings.session_hours * 3600)
            )
        except ValueError as exc:
            raise ConsoleConfigError(str(exc)) from None
        self.policies = ReloadingFile(settings.policy_file, load_policy)
        self.users = ReloadingFile(settings.users_file, self._load_users)
        self.store = Store(settings.database_url)
        pinned = pinned_approver_store(self.store)
        if pinned is not None and pinned != settings.users_file.expanduser().resolve():
            raise ConsoleConfigError(
                f"the approver records of this database are {pinned}, not {settings.users_file}: console and "
                "CLI share one users file (re-pin with `opspack console add-user` if it moved)"
            )
        self.ledger = Ledger(self.store, clock=settings.clock)
        self.login_guard = login_guard(settings)

    def _load_users(self, path: Path) -> UsersFile:
        users = load_users(path)
        check_against_policy(users, self.policy, source=str(self.settings.users_file))
        return users

    @property
    def policy(self) -> Policy:
        return self.policies.get()

    def now(self) -> datetime:
        return self.settings.clock()

    def epoch(self) -> int:
        return int(self.now().timestamp())

    def _performers(self) -> PerformersFactory | None:
        return self.settings.performers

    def governor(self, agent: str) -> Governor:
        policy = self.policy
        factory = self._performers()
        performers = factory(policy, agent) if factory is not None else {}
        return Governor(policy, self.store, performers, clock=self.settings.clock, ledger=self.ledger)

    def can_execute(self, agent: str, system: str) -> bool:
        """Whether an approval given here would execute at once (a performer reaches the system)."""
        factory = self._performers()
        return factory is not None and system in factory(self.policy, agent)
