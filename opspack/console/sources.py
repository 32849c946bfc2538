"""Files the console re-reads when they change: the policy (a promotion rewrites it) and the users.

Reading on every request would cost a YAML parse each time; never reading again would keep an
old policy version alive (its approvals then look stale to the Governor) and keep a removed user
logged in. A file is re-read when its modification time or size changes.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Generic, TypeVar

T = TypeVar("T")


class ReloadingFile(Generic[T]):
    """The parsed content of `path`, re-parsed by `loader` whenever the file changes."""

    def __init__(self, path: Path, loader: Callable[[Path], T]) -> None:
        self.path, self._loader = path, loader
        self._lock = threading.Lock()
        self._stamp: tuple[int, int] | None = None
        self._value: T | None = None
        self.get()  # fail at start-up, not at the first request

    def _current_stamp(self) -> tuple[int, int] | None:
        try:
            status = self.path.stat()
        except OSError:
            return None
        return status.st_mtime_ns, status.st_size

    def get(self) -> T:
        stamp = self._current_stamp()
        with self._lock:
            if self._value is None or stamp is None or stamp != self._stamp:
                self._value = self._loader(self.path)
                self._stamp = stamp
            return self._value
