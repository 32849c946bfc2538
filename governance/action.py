"""The unit the gate judges: an `Action` is plain data, and its digest binds approvals to it.

The digest is SHA-256 over a canonical JSON form: keys sorted, no whitespace, and numbers
normalised so that ``100``, ``100.0``, ``1E2`` and ``Decimal("100.00")`` hash the same. Approvals
store the digest, so any change to any field -- a cent of amount, a different target -- makes
an approval useless for the changed action.
"""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal, InvalidOperation
from functools import cached_property
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

JSONValue = Any


def _normalise_number(value: Decimal | int | float) -> str:
    """Numbers become their shortest exact decimal spelling: 100.00 -> "100", 0.50 -> "0.5"."""
    try:
        number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    except InvalidOperation as exc:  # pragma: no cover - Decimal(int) never fails
        raise ValueError(f"not a number: {value!r}") from exc
    if not number.is_finite():
        raise ValueError(f"numbers in an action must be finite, got {value!r}")
    if number == 0:
        return "0"
    text = format(number.normalize(), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


class _NumberToken(str):
    """Marks a normalised number so the encoder writes it bare, not quoted."""


def canonicalise(value: JSONValue) -> JSONValue:
    """Return `value` with every number replaced by its normalised token (recursively)."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int | float | Decimal):
        return _NumberToken(_normalise_number(value))
    if isinstance(value, dict):
        return {str(k): canonicalise(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [canonicalise(v) for v in value]
    raise TypeError(f"value of type {type(value).__name__} cannot be part of an action")


def _encode(value: JSONValue) -> str:
    if isinstance(value, _NumberToken):
        return str(value)
    if isinstance(value, dict):
        items = sorted(value.items())
        return "{" + ",".join(json.dumps(k, ensure_ascii=False) + ":" + _encode(v) for k, v in items) + "}"
    if isinstance(value, list):
        return "[" + ",".join(_encode(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def canonical_json(value: JSONValue) -> str:
    """Canonical JSON: sorted keys, no whitespace, normalised numbers, UTF-8 kept as is."""
    return _encode(canonicalise(value))


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class Action(BaseModel):
    """One thing an agent wants done in one system."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    agent: str = Field(min_length=1)
    """The acting agent's identity, as named in the policy."""
    system: str = Field(min_length=1)
    """The connection the action goes to (``servicenow``, ``sap``), as named in the policy."""
    operation: str = Field(min_length=1, pattern=r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_.]*$")
    """Vendor-neutral operation, ``<kind>.<verb>``: ``erp.post_invoice``, ``directory.reset_password``."""
    target: str = ""
    """What the action touches: a ticket number, a vendor id, a user login."""
    params: dict[str, JSONValue] = Field(default_factory=dict)
    """Operation arguments. Never secrets: they are hashed and written to the ledger."""
    amount: Decimal | None = None
    """Money moved or committed, in `currency`; drives thresholds and aggregates."""
    currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")
    counterparty: str | None = None
    """Whom the money concerns (vendor id, customer id): the key of aggregate limits."""
    business_key: str = Field(min_length=1)
    """Stable key of the business document; the executor's idempotency key derives from it."""
    requested_by: str | None = None
    """Who asked for the action when it is not the agent itself (a human's edit, a hand-off)."""

    @field_validator("amount")
    @classmethod
    def _finite_amount(cls, value: Decimal | None) -> Decimal | None:
        if value is not None and not value.is_finite():
            raise ValueError("amount must be a finite number")
        return value

    @field_validator("params")
    @classmethod
    def _json_params(cls, value: dict[str, JSONValue]) -> dict[str, JSONValue]:
        try:
            canonicalise(value)
        except TypeError as exc:
            raise ValueError(str(exc)) from None
        return value

    @property
    def kind(self) -> str:
        """The system kind the operation belongs to (``erp``, ``itsm``, ``crm``, ``directory``)."""
        return self.operation.split(".", 1)[0]

    def canonical(self) -> dict[str, JSONValue]:
        """The fields the digest covers, as plain JSON values."""
        return {
            "agent": self.agent,
            "system": self.system,
            "operation": self.operation,
            "target": self.target,
            "params": self.params,
            "amount": self.amount,
            "currency": self.currency,
            "counterparty": self.counterparty,
            "business_key": self.business_key,
            "requested_by": self.requested_by,
        }

    @cached_property
    def digest(self) -> str:
        """SHA-256 of the canonical JSON form; what approvals are bound to."""
        return sha256_hex(canonical_json(self.canonical()))

    @cached_property
    def idempotency_key(self) -> str:
        """One write per (system, operation, business key): retries and restarts reuse it."""
        return sha256_hex(canonical_json([self.system, self.operation, self.business_key]))
