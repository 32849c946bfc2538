"""`FolderSource`: files dropped into a folder become work items; settled files move to ``done/``
or ``failed/`` with a ``<name>.reason.txt`` beside them.

A file is taken only once it is complete: either its size and modification time did not change
between two polls, or it has not been touched for `min_age` seconds (so a restart picks up
everything left behind at once, and a writer that renames a finished file into place is never
waited on for long). Hidden files and the usual partial-download names (``.part``, ``.tmp``,
``.crdownload``, ``.filepart``, ``~``) are never taken. Only the folder itself is read; ``done/``,
``failed/`` and any other sub-folder are ignored.

The business key is the file name and the SHA-256 of its content, so the same invoice dropped twice
under one name is recognised by the executor, and a corrected file under the same name is new work.
The folder itself is the cursor: whatever is still in it is still to do (`poll` returns None as
cursor). A file handed out and not yet settled is not handed out again by the same process.
"""

from __future__ import annotations

import fnmatch
import logging
import os
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path

from opspack.runtime.sources.base import WorkItem
from opspack.runtime.sources.errors import SourceConfigurationError, SourceUnavailableError
from opspack.runtime.sources.mail import document_key

logger = logging.getLogger("opspack.runtime.sources.folder")

DEFAULT_PATTERNS = ("*.pdf", "*.xml", "*.json", "*.csv", "*.eml")
PARTIAL_SUFFIXES = (".part", ".partial", ".tmp", ".crdownload", ".filepart", ".download", "~")
DONE, FAILED = "done", "failed"
REASON_SUFFIX = ".reason.txt"


class FolderSource:
    """Work items from the files in one folder; see the module docstring."""

    def __init__(
        self,
        name: str,
        path: str | Path,
        patterns: Iterable[str] = DEFAULT_PATTERNS,
        kind: str = "document",
        *,
        min_age: float = 2.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.name = name
        self.path = Path(path)
        self.patterns = tuple(patterns)
        if not self.patterns:
            raise SourceConfigurationError(name, "needs at least one file pattern")
        self.kind = kind
        self.min_age = min_age
        self._clock = clock
        self._last_seen: dict[str, tuple[int, int]] = {}
        self._in_flight: dict[str, str] = {}
        """Work item key -> file name, for files handed out and not yet settled."""

    def poll(self, cursor: str | None) -> tuple[list[WorkItem], str | None]:
        if not self.path.is_dir():
            raise SourceConfigurationError(self.name, f"folder {self.path} does not exist or is not a folder")
        now = self._clock()
        seen: dict[str, tuple[int, int]] = {}
        items: list[WorkItem] = []
        taken = set(self._in_flight.values())
        try:
            entries = sorted(os.scandir(self.path), key=lambda e: e.name)
        except OSError as exc:
            raise SourceUnavailableError(self.name, f"cannot list {self.path}: {exc}") from exc
        for entry in entries:
            if not self._wanted(entry) or entry.name in taken:
                continue
            try:
                stat = entry.stat()
            except FileNotFoundError:  # moved away between listing and stat
                continue
            signature = (stat.st_size, stat.st_mtime_ns)
            seen[entry.name] = signature
            stable = self._last_seen.get(entry.name) == signature
            if not stable and now - stat.st_mtime < self.min_age:
                continue
            item = self._read(Path(entry.path), stat.st_mtime)
            if item is not None:
                self._in_flight[item.key] = entry.name
                items.append(item)
        self._last_seen = seen
        return items, None

    def forget_settled(self) -> None:
        """Forget handed-out files that are gone from the folder: another process (a worker of the
        scale-out runtime) settled them, so a new file under the same name is new work."""
        for key, filename in list(self._in_flight.items()):
            if not (self.path / filename).exists():
                self._in_flight.pop(key, None)

    def settle(self, item: WorkItem, *, ok: bool, reason: str) -> None:
        """Move the file to ``done/`` or ``failed/`` and write why beside it."""
        filename = self._in_flight.pop(item.key, None) or item.filename
        if filename is None:
            raise SourceConfigurationError(self.name, f"work item {item.key!r} names no file")
        source = self.path / filename
        if not source.exists():
            logger.warning("%s: %s is gone already; nothing to move", self.name, source)
            return
        if document_key(filename, source.read_bytes()) != item.key:
            logger.warning("%s: %s changed after it was read; left for the next poll", self.name, source)
            return
        target_dir = self.path / (DONE if ok else FAILED)
        target_dir.mkdir(exist_ok=True)
        target = _free_name(target_dir, filename)
        os.replace(source, target)
        stamp = datetime.now(UTC).isoformat(timespec="seconds")
        outcome = "done" if ok else "failed"
        target.with_name(target.name + REASON_SUFFIX).write_text(
            f"{outcome} at {stamp} (source {self.name}, key {item.key})\n{reason}\n", encoding="utf-8"
        )

    def _wanted(self, entry: os.DirEntry[str]) -> bool:
        name = entry.name
        if name.startswith(".") or name.lower().endswith(PARTIAL_SUFFIXES) or name.endswith(REASON_SUFFIX):
            return False
        if not entry.is_file(follow_symlinks=False):
            return False
        return any(fnmatch.fnmatch(name.lower(), pattern.lower()) for pattern in self.patterns)

    def _read(self, path: Path, mtime: float) -> WorkItem | None:
        try:
            content = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:  # one unreadable file must not stop the folder: skip it, say why
            logger.warning("%s: cannot read %s, skipped until it can be: %s", self.name, path, exc)
            return None
        return WorkItem(
            source=self.name,
            key=document_key(path.name, content),
            kind=self.kind,
            payload=content,
            filename=path.name,
            metadata={
                "path": str(path),
                "size": len(content),
                "modified_at": datetime.fromtimestamp(mtime, UTC).isoformat(timespec="seconds"),
            },
        )


def _free_name(folder: Path, filename: str) -> Path:
    """`folder/filename`, or `name.1.ext`, `name.2.ext` ... when an earlier file took the name."""
    target = folder / filename
    counter = 1
    while target.exists():
        stem, suffix = os.path.splitext(filename)
        target = folder / f"{stem}.{counter}{suffix}"
        counter += 1
    return target
