"""`FolderSource`: files dropped into a folder become work items; settled files move to ``done/``
or ``failed/`` (with a ``.reason.txt`` beside them), so the folder itself is the queue.

No cursor is needed: a file stays in the folder until its transaction is recorded, so a runner
killed mid-item sees it again and the agent resumes it from the ledger.
"""

from __future__ import annotations

import fnmatch
import hashlib
from pathlib import Path

from opspack.runtime.sources.base import WorkItem

DONE, FAILED = "done", "failed"


class FolderSource:
    def __init__(self, name: str, path: str | Path, patterns: tuple[str, ...] | list[str] = ("*",)) -> None:
        self.name = name
        self.path = Path(path)
        self.patterns = tuple(patterns)

    def _matches(self, file: Path) -> bool:
        return any(fnmatch.fnmatch(file.name.lower(), pattern.lower()) for pattern in self.patterns)

    def poll(self, cursor: str | None) -> tuple[list[WorkItem], str | None]:
        if not self.path.is_dir():
            raise FileNotFoundError(f"source {self.name!r}: folder {self.path} does not exist")
        items = []
        for file in sorted(p for p in self.path.iterdir() if p.is_file() and self._matches(p)):
            data = file.read_bytes()
            items.append(
                WorkItem(
                    source=self.name,
                    key=f"{file.name}:{hashlib.sha256(data).hexdigest()}",
                    kind="document",
                    payload=data,
                    filename=file.name,
                    metadata={"path": str(file)},
                )
            )
        return items, cursor

    def settle(self, item: WorkItem, *, ok: bool, reason: str) -> None:
        file = Path(str(item.metadata.get("path", self.path / (item.filename or ""))))
        if not file.exists():
            return  # settled already (a second runner, or a rerun after a crash between move and record)
        target_dir = self.path / (DONE if ok else FAILED)
        target_dir.mkdir(exist_ok=True)
        target = target_dir / file.name
        counter = 1
        while target.exists():
            target = target_dir / f"{file.stem}.{counter}{file.suffix}"
            counter += 1
        file.replace(target)
        if not ok:
            target.with_name(target.name + ".reason.txt").write_text(reason + "\n", encoding="utf-8")
