"""The running agents pick up a changed policy file without a restart.

A promotion or demotion (``opspack autonomy promote|demote``), or an operator's edit, rewrites the
policy file while ``opspack run`` (or a worker) is running. `PolicyWatch` notices the change -- a
cheap ``stat`` per check, the file read and hashed only when its size or mtime moved -- and loads
it; the wiring then hands the new `Policy` to every Governor it built, so the next action is judged
under the new version (approvals requested under the old one are stale, as always). A file that no
longer loads (half-written, invalid) is logged and the last good policy stays in force: a bad edit
never switches the governance off.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from governance.errors import GovernanceError
from governance.policy import Policy, load_policy

logger = logging.getLogger("opspack.policy")


class PolicyWatch:
    """Watches one policy file; `changed()` returns the new policy once per real change."""

    def __init__(self, path: Path, current: Policy) -> None:
        self.path, self.current = path, current
        self._stamp = self._stat()
        self.last_error: str | None = None

    def _stat(self) -> tuple[int, int] | None:
        try:
            found = os.stat(self.path)
        except OSError:
            return None
        return found.st_mtime_ns, found.st_size

    def changed(self) -> Policy | None:
        """The new policy if the file now holds a different valid one; None otherwise."""
        stamp = self._stat()
        if stamp == self._stamp or stamp is None:
            return None
        self._stamp = stamp
        try:
            loaded = load_policy(self.path)
        except (GovernanceError, OSError, ValueError) as exc:
            self.last_error = str(exc)
            logger.error(
                "policy file %s no longer loads; keeping version %s: %s",
                self.path,
                self.current.version[:12],
                exc,
            )
            return None
        self.last_error = None
        if loaded.version == self.current.version:
            return None
        logger.info(
            "policy reloaded",
            extra={"policy_version": loaded.version, "previous_version": self.current.version},
        )
        self.current = loaded
        return loaded
