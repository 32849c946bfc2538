"""Unfinished work comes back: an item whose agent could not finish it (a write failed) is neither
settled nor passed by the source's cursor, so the next poll hands it out again, and the first
poll after it finishes moves the cursor on."""

from __future__ import annotations

from pathlib import Path

from governance.store import Store
from opspack.runtime.handlers import ItemOutcome
from opspack.runtime.runner import Runner
from opspack.runtime.sources.base import WorkItem


class Queue:
    """A cursor-keeping source over numbered items (as an ITSM queue poller keeps `updated_at`)."""

    name = "queue"

    def __init__(self, keys: list[str]) -> None:
        self.keys, self.settled, self.polled_from = keys, [], []

    def poll(self, cursor: str | None) -> tuple[list[WorkItem], str | None]:
        self.polled_from.append(cursor)
        start = int(cursor or 0)
        items = [WorkItem("queue", key, "ticket", {"number": key}) for key in self.keys[start:]]
        return items, str(len(self.keys))

    def settle(self, item: WorkItem, *, ok: bool, reason: str) -> None:
        self.settled.append(item.key)


class FlakyDesk:
    """Leaves one ticket unfinished until `fixed`, as the service desk does when an ITSM write fails."""

    agent = "service_desk"

    def __init__(self, flaky: str) -> None:
        self.flaky, self.fixed, self.seen = flaky, False, []

    def handle(self, item: WorkItem) -> ItemOutcome:
        self.seen.append(item.key)
        if item.key == self.flaky and not self.fixed:
            return ItemOutcome(True, "pending", "write_failed", f"tx-{item.key}", retry=True)
        return ItemOutcome(True, "resolved", "resolved", f"tx-{item.key}")

    def resume(self, request: object) -> str:  # pragma: no cover - no approvals here
        raise AssertionError("no approvals in this test")

    def close_rejected(self, request: object) -> str:  # pragma: no cover - no approvals here
        raise AssertionError("no approvals in this test")


def test_an_unfinished_item_comes_back_until_it_is_finished(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'runner.db'}")
    source, desk = Queue(["INC1", "INC2", "INC3"]), FlakyDesk("INC2")
    runner = Runner(store, {"queue": source}, {"queue": desk})
    assert runner.run(once=True) == 3
    assert source.settled == ["INC1", "INC3"]  # INC2 is not settled: it is not done
    assert runner.run(once=True) == 3  # the cursor did not move past INC2: it is handed out again
    assert source.polled_from == [None, None]
    desk.fixed = True
    runner.run(once=True)
    assert source.settled[-3:] == ["INC1", "INC2", "INC3"]
    assert runner.run(once=True) == 0  # finished: the cursor moved on, nothing comes back
    assert source.polled_from[-1] == "3"
