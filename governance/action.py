"""The unit the gate judges: an `Action` is plain data, and its digest binds approvals to it.

Money, currency and counterparty are not free-standing: they are derived from the parameters the
performer will write (governance/operations.py) when the action is built, and explicit values
that disagree are refused. So what the gate judges is what is written.

The digest is portable: SHA-256 over the RFC 8785 (JSON Canonicalization Scheme) form of agent,
system, operation, target, the derived amount (a decimal string), currency and counterparty, the
parameters, business key, requester and the policy version (`digest_input`). Any other tool with a
JCS library recomputes it (docs/POLICY.md shows how). Approvals store the digest, so any change to
any field -- a cent of amount, a different target, another policy -- makes an approval useless.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from functools import cached_property
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from governance import jcs
from governance.operations import BindingError, bind

JSONValue = Any

DIGEST_FIELDS = (
    "agent",
    "system",
    "operation",
    "target",
    "amount",
    "currency",
    "counterparty",
    "params",
    "business_key",
    "requested_by",
    "policy_version",
)
"""Exactly the members of the object the digest is computed over."""
_BOUND_FIELDS = ("amount", "currency", "counterparty")


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


def decimal_string(value: Decimal | int | float | None) -> str | None:
    """An amount as the digest spells it: the shortest exact decimal string ("100", "0.5")."""
    return None if value is None else _normalise_number(value)


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
    """Canonical JSON: sorted keys, no whitespace, normalised numbers, UTF-8 kept as is.

    Used for the policy version and idempotency keys; action digests use RFC 8785 (`jcs_value`).
    """
    return _encode(canonicalise(value))


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def jcs_value(value: JSONValue) -> JSONValue:
    """`value` as plain JSON for RFC 8785: a `Decimal` becomes its string, tuples become lists.

    Integers and floats stay JSON numbers (JCS spells them the ECMAScript way, so ``100`` and
    ``100.0`` agree); integers beyond 2**53 are refused, as JCS cannot represent them exactly.
    """
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, Decimal):
        _normalise_number(value)  # refuses NaN and infinities
        return str(value)  # as pydantic writes it to JSON, so a stored action keeps its digest
    if isinstance(value, int):
        if abs(value) > 2**53 - 1:
            raise TypeError(f"integer {value} is too large for a portable digest; pass it as a string")
        return value
    if isinstance(value, float):
        _normalise_number(value)  # refuses NaN and infinities
        return value
    if isinstance(value, dict):
        return {str(k): jcs_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jcs_value(v) for v in value]
    raise TypeError(f"value of type {type(value).__name__} cannot be part of an action")


def jcs_sha256(value: JSONValue) -> str:
    """SHA-256 (hex) of the RFC 8785 canonical form of `value`."""
    return hashlib.sha256(jcs.dumps(jcs_value(value))).hexdigest()


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
    """Money moved or committed, in `currency`: derived from `params` (governance/operations.py)."""
    currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")
    counterparty: str | None = None
    """Whom the money concerns (vendor id, customer id), derived from `params` or the target."""
    business_key: str = Field(min_length=1)
    """Stable key of the business document; the executor's idempotency key derives from it."""
    requested_by: str | None = None
    """Who asked for the action when it is not the agent itself (a human's edit, a hand-off)."""

    @model_validator(mode="before")
    @classmethod
    def _derive_bound_values(cls, data: Any) -> Any:
        """Fill amount, currency and counterparty from the parameters; refuse disagreeing ones."""
        if not isinstance(data, dict):
            return data
        params = data.get("params") or {}
        if not isinstance(params, dict) or not isinstance(data.get("operation"), str):
            return data  # field validation reports the real problem
        try:
            bound = bind(
                data["operation"],
                params,
                str(data.get("target") or ""),
                amount=data.get("amount"),
                currency=data.get("currency"),
                counterparty=data.get("counterparty"),
            )
        except BindingError as exc:
            raise ValueError(str(exc)) from None
        return {
            **data,
            "amount": bound.amount,
            "currency": bound.currency,
            "counterparty": bound.counterparty,
        }

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
            jcs_value(value)
        except (TypeError, ValueError) as exc:
            raise ValueError(str(exc)) from None
        return value

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Action:
        """A validated copy: the bound values are derived again from the (changed) parameters.

        Pydantic's own copy skips validation and would keep a stale amount and cached digests.
        """
        data = self.model_dump()
        for name in _BOUND_FIELDS:
            data.pop(name)
        return Action.model_validate({**data, **(update or {})})

    @property
    def kind(self) -> str:
        """The system kind the operation belongs to (``erp``, ``itsm``, ``crm``, ``directory``)."""
        return self.operation.split(".", 1)[0]

    def canonical(self) -> dict[str, JSONValue]:
        """The action's fields as plain JSON values (amount as a decimal string); a fresh dict
        each call over values computed once (the action is frozen)."""
        return dict(self._canonical)

    @cached_property
    def _canonical(self) -> dict[str, JSONValue]:
        return {
            "agent": self.agent,
            "system": self.system,
            "operation": self.operation,
            "target": self.target,
            "amount": decimal_string(self.amount),
            "currency": self.currency,
            "counterparty": self.counterparty,
            "params": jcs_value(self.params),
            "business_key": self.business_key,
            "requested_by": self.requested_by,
        }

    def digest_input(self, policy_version: str) -> dict[str, JSONValue]:
        """The JSON object the digest is computed over (`DIGEST_FIELDS`)."""
        return {**self.canonical(), "policy_version": policy_version}

    @cached_property
    def _digests(self) -> dict[str, str]:
        return {}

    def digest_for(self, policy_version: str) -> str:
        """SHA-256 of the RFC 8785 form of `digest_input`: what approvals are bound to."""
        found = self._digests.get(policy_version)
        if found is None:
            found = hashlib.sha256(jcs.dumps(self.digest_input(policy_version))).hexdigest()
            self._digests[policy_version] = found
        return found

    @cached_property
    def idempotency_key(self) -> str:
        """One write per (system, operation, business key): retries and restarts reuse it."""
        return sha256_hex(canonical_json([self.system, self.operation, self.business_key]))
