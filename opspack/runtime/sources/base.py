"""Sources: where work items come from. One small class per kind, behind one Protocol."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable


@dataclass(frozen=True)
class WorkItem:
    source: str  # the source's configured name
    key: str  # business key: file name + sha256, message-id, ticket number
    kind: str  # "document" (invoice file), "message" (customer message), "ticket"
    payload: bytes | dict[str, Any]
    filename: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)


@runtime_checkable
class Source(Protocol):
    name: str

    def poll(self, cursor: str | None) -> tuple[list[WorkItem], str | None]: ...
    def settle(self, item: WorkItem, *, ok: bool, reason: str) -> None: ...
