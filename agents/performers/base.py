"""What every performer shares: operation dispatch and parameter parsing with clear errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel, ValidationError

from connectors.errors import OutcomeUnknownError, RetriableError
from governance.action import Action
from governance.errors import ExecutionError
from governance.executor import ExecutionResult

M = TypeVar("M", bound=BaseModel)
Handler = Callable[[Action], ExecutionResult]
Reconciler = Callable[[Action], ExecutionResult | None]


class UnsupportedOperation(ExecutionError):
    """The performer has no mapping for the operation: a wiring error, never retried."""


class OperationPerformer:
    """Dispatches by operation name to `perform_<verb>` / `reconcile_<verb>` methods."""

    kind: ClassVar[str]

    def __init__(self, connector: Any) -> None:
        self.connector = connector

    def _method(self, prefix: str, action: Action) -> Callable[[Action], Any]:
        kind, _, verb = action.operation.partition(".")
        method = getattr(self, f"{prefix}_{verb.replace('.', '_')}", None) if kind == self.kind else None
        if method is None:
            raise UnsupportedOperation(f"{type(self).__name__} cannot {prefix} {action.operation!r}")
        return method

    def perform(self, action: Action) -> ExecutionResult:
        result: ExecutionResult = self._method("perform", action)(action)
        return result

    def reconcile(self, action: Action) -> ExecutionResult | None:
        """Look the document up; a look-up that keeps failing means the outcome stays unknown."""
        try:
            result: ExecutionResult | None = self._method("reconcile", action)(action)
        except RetriableError as exc:
            raise OutcomeUnknownError(
                f"cannot reconcile {action.operation} for {action.business_key!r}: {exc}",
                vendor=exc.vendor,
                endpoint=exc.endpoint,
                status=exc.status,
            ) from exc
        return result

    @staticmethod
    def param(action: Action, name: str) -> Any:
        try:
            return action.params[name]
        except KeyError:
            raise ExecutionError(f"{action.operation}: missing parameter {name!r}") from None

    @staticmethod
    def parse(model: type[M], data: Any, action: Action) -> M:
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise ExecutionError(
                f"{action.operation}: invalid parameters at {where}: {first['msg']}"
            ) from None

    @staticmethod
    def result(document_id: str | None, **detail: Any) -> ExecutionResult:
        return ExecutionResult(
            document_id=document_id, detail={k: v for k, v in detail.items() if v is not None}
        )
