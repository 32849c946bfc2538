"""Progress bars on stderr, only on a terminal and never with --json."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import TypeVar

T = TypeVar("T")


class Tracked(list[T]):
    """A list whose iteration advances a progress bar (for loops inside library code we pass it to)."""

    def __init__(self, items: Iterable[T], advance: Callable[[], None]) -> None:
        super().__init__(items)
        self._advance = advance

    def __iter__(self) -> Iterator[T]:
        for item in super().__iter__():
            yield item
            self._advance()


@contextmanager
def progress(description: str, total: int | None, *, quiet: bool = False) -> Iterator[Callable[[], None]]:
    """A rich progress bar on stderr, yielding the function that advances it by one.

    Off (a no-op advance) with `quiet` (``--json``) or when stderr is not a terminal, so pipes,
    CI logs and JSON output never carry control characters.
    """
    if quiet or not sys.stderr.isatty():
        yield lambda: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task(description, total=total)
        yield lambda: bar.advance(task)
