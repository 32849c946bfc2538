"""What every performer shares: operation dispatch, parameter parsing with clear errors, and the
binding check -- the document about to be written (or just read back from the target system) must
say exactly the amount, currency and counterparty the gate judged."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel, ValidationError

from agents.errors import AgentError
from connectors.errors import OutcomeUnknownError, RetriableError
from governance.action import Action
from governance.errors import ExecutionError
from governance.executor import ExecutionResult
from governance.operations import same_key

M = TypeVar("M", bound=BaseModel)
Handler = Callable[[Action], ExecutionResult]
Reconciler = Callable[[Action], ExecutionResult | None]


class UnsupportedOperation(ExecutionError, AgentError):
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
    def result(
        document_id: str | None, *, written: dict[str, Any] | None = None, **detail: Any
    ) -> ExecutionResult:
        return ExecutionResult(
            document_id=document_id,
            detail={k: v for k, v in detail.items() if v is not None},
            written=dict(written or {}),
        )


class BindingRefused(ExecutionError, AgentError):
    """The document does not say what was judged: refused before anything is written."""


def check_bound(
    action: Action,
    document: str,
    *,
    amount: Decimal | None = None,
    currency: str | None = None,
    counterparty: str | None = None,
    check_amount: bool = True,
) -> None:
    """Refuse (`BindingRefused`) when `document` disagrees with the judged values of `action`.

    Amount and currency are compared exactly (numerically) where the operation judges money;
    the counterparty by canonical key.
    """
    problems = []
    if check_amount and amount != action.amount:
        problems.append(f"amount {amount} where {action.amount} was judged")
    if check_amount and currency != action.currency:
        problems.append(f"currency {currency} where {action.currency} was judged")
    if not same_key(counterparty, action.counterparty):
        problems.append(f"counterparty {counterparty} where {action.counterparty} was judged")
    if problems:
        raise BindingRefused(f"{action.operation}: {document} says {'; '.join(problems)}; refusing to write")


def written(
    amount: Decimal | None, currency: str | None, counterparty: str | None, *document_ids: str | None
) -> dict[str, object]:
    """What a money write left in the target system, for the ledger's execution outcome."""
    return {
        "amount": None if amount is None else str(amount),
        "currency": currency,
        "counterparty": counterparty,
        "document_ids": [d for d in document_ids if d],
    }
