"""The operation catalogue: how each write's money, currency and counterparty follow from its parameters.

The gate judges an amount, a currency and a counterparty; a performer writes parameters. If the
two were separate fields, an agent (or a bug) could declare 100 EUR while the invoice it books
says 200,000 EUR. So every write operation declares here *where in its parameters* those values
live, `Action` derives them at construction (refusing explicit values that disagree), the gate
re-derives them before judging (denying any mismatch), and the performer re-reads the target
document before writing and refuses when it no longer says what was judged.

    erp.post_invoice        amount  params.invoice.gross_amount   currency params.invoice.currency
                            counterparty params.invoice.vendor_id
    erp.schedule_payment    amount  params.amount                 currency params.currency
                            counterparty params.vendor_id (checked against the ERP invoice)
    erp.create_credit_memo  amount  params.credit_memo.amount     (a *credit* operation)
    erp.post_credit_memo    amount  params.invoice.gross_amount   currency params.invoice.currency
                            counterparty params.invoice.vendor_id (a *credit* operation: a supplier
                            credit memo against the invoice in params.invoice.credit_for)

Operations not listed move no money and name no counterparty: an explicit amount, currency or
counterparty on them is refused. Keys used for aggregates and segregation of duties go through
`canonical_key`, so ``V300``, ``v300``, ``V300 `` and ``V300`` + zero-width space are one key.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from governance.errors import GovernanceError

_ZERO_WIDTH = dict.fromkeys(map(ord, "\u00ad\u180e\u200b\u200c\u200d\u2060\u2061\u2062\u2063\u2064\ufeff"))
_SPACES = re.compile(r"\s+")


def canonical_key(value: str | None) -> str | None:
    """The comparison form of a counterparty or target: NFKC, zero-width removed, spaces collapsed,
    case folded. ``None`` for a missing or blank key (which then fails closed where a key is needed)."""
    if value is None:
        return None
    text = unicodedata.normalize("NFKC", value).translate(_ZERO_WIDTH)
    text = unicodedata.normalize("NFKC", _SPACES.sub(" ", text).strip().casefold())
    return text or None


def same_key(left: str | None, right: str | None) -> bool:
    """Whether two spellings name the same counterparty or target."""
    return canonical_key(left) == canonical_key(right)


class BindingError(GovernanceError, ValueError):
    """An action's declared money or counterparty disagrees with (or is missing from) its parameters."""


@dataclass(frozen=True)
class OperationSpec:
    """Where one operation's judged values live in its parameters (dotted paths, or ``target``)."""

    operation: str
    amount: str | None = None
    currency: str | None = None
    counterparty: str | None = None
    credit: bool = False
    """A credit operation moves money back to a customer: judged on the absolute value, own caps."""

    @property
    def money(self) -> bool:
        """A money operation: its amount must be derivable and (unless a credit) positive."""
        return self.amount is not None


@dataclass(frozen=True)
class BoundValues:
    """The values the gate judges, as the parameters say them."""

    amount: Decimal | None
    currency: str | None
    counterparty: str | None


CATALOGUE: Mapping[str, OperationSpec] = {
    spec.operation: spec
    for spec in (
        OperationSpec(
            "erp.post_invoice",
            amount="invoice.gross_amount",
            currency="invoice.currency",
            counterparty="invoice.vendor_id",
        ),
        OperationSpec("erp.schedule_payment", amount="amount", currency="currency", counterparty="vendor_id"),
        OperationSpec(
            "erp.create_credit_memo",
            amount="credit_memo.amount",
            currency="credit_memo.currency",
            counterparty="credit_memo.customer_id",
            credit=True,
        ),
        OperationSpec(
            "erp.post_credit_memo",
            amount="invoice.gross_amount",
            currency="invoice.currency",
            counterparty="invoice.vendor_id",
            credit=True,
        ),
        OperationSpec("erp.hold_invoice", counterparty="vendor_id"),
        OperationSpec("erp.release_invoice", counterparty="vendor_id"),
        OperationSpec("erp.update_po_status", counterparty="vendor_id"),
        OperationSpec("erp.cancel_subscription", counterparty="customer_id"),
        OperationSpec("erp.update_vendor", counterparty="target"),
        OperationSpec("erp.block_vendor", counterparty="target"),
        OperationSpec("erp.merge_vendors", counterparty="target"),
    )
}
"""Every operation whose parameters carry money or a counterparty. Others carry neither."""

_NO_MONEY = OperationSpec("")


def spec_for(operation: str) -> OperationSpec:
    return CATALOGUE.get(operation, _NO_MONEY)


def is_money_operation(operation: str) -> bool:
    return spec_for(operation).money


def _lookup(params: Mapping[str, Any], target: str, path: str | None) -> Any:
    if path is None:
        return None
    if path == "target":
        return target or None
    value: Any = params
    for part in path.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


def _as_amount(value: Any, where: str) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise BindingError(f"{where} must be a number, got {type(value).__name__}")
    try:
        amount = Decimal(str(value).strip()) if not isinstance(value, Decimal) else value
    except InvalidOperation:
        raise BindingError(f"{where} is not a number: {value!r}") from None
    if not amount.is_finite():
        raise BindingError(f"{where} must be a finite number, got {value!r}")
    return amount


def _as_text(value: Any, where: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise BindingError(f"{where} must be a string, got {type(value).__name__}")
    return value


def derive(operation: str, params: Mapping[str, Any], target: str) -> BoundValues:
    """The amount, currency and counterparty `operation` writes, read from its parameters."""
    spec = spec_for(operation)
    amount = _as_amount(_lookup(params, target, spec.amount), f"{operation}: params.{spec.amount}")
    currency = _as_text(_lookup(params, target, spec.currency), f"{operation}: params.{spec.currency}")
    counterparty = _as_text(
        _lookup(params, target, spec.counterparty), f"{operation}: params.{spec.counterparty}"
    )
    return BoundValues(amount, currency, counterparty)


def _source(spec: OperationSpec, name: str) -> str:
    path = getattr(spec, name)
    if path is None:
        return f"{spec.operation or 'this operation'} carries no {name}"
    return f"{spec.operation} takes its {name} from {'the target' if path == 'target' else 'params.' + path}"


def bind(
    operation: str,
    params: Mapping[str, Any],
    target: str,
    *,
    amount: Any = None,
    currency: str | None = None,
    counterparty: str | None = None,
) -> BoundValues:
    """Derive the judged values and check explicit ones against them; raises `BindingError`.

    An explicit value is accepted only when it agrees with the derived one (amounts numerically,
    counterparties by `canonical_key`); the derived value is what is kept, because it is what
    the performer writes.
    """
    spec = spec_for(operation)
    derived = derive(operation, params, target)
    explicit_amount = _as_amount(amount, "amount")
    if explicit_amount is not None and (derived.amount is None or explicit_amount != derived.amount):
        raise BindingError(
            f"amount {explicit_amount} disagrees with what is written ({derived.amount}): {_source(spec, 'amount')}"
        )
    if currency is not None and currency != derived.currency:
        raise BindingError(
            f"currency {currency!r} disagrees with what is written ({derived.currency!r}): "
            f"{_source(spec, 'currency')}"
        )
    if counterparty is not None and (
        derived.counterparty is None or not same_key(counterparty, derived.counterparty)
    ):
        raise BindingError(
            f"counterparty {counterparty!r} disagrees with what is written ({derived.counterparty!r}): "
            f"{_source(spec, 'counterparty')}"
        )
    return derived


def judged_amount(operation: str, amount: Decimal | None) -> Decimal | None:
    """The amount limits are checked against: the absolute value for credit operations."""
    if amount is None:
        return None
    return abs(amount) if spec_for(operation).credit else amount


def bank_account_keys(accounts: Iterable[Any]) -> list[str]:
    """Bank accounts (objects with ``iban`` / ``account_number``) as a payment is judged for them.

    Sorted, spaces removed, upper case: ``erp.schedule_payment`` carries this list in
    ``params.bank_accounts`` and its performer compares it with the vendor master before paying.
    """
    keys = set()
    for account in accounts:
        number = getattr(account, "iban", None) or getattr(account, "account_number", None)
        if number:
            keys.add("".join(str(number).split()).upper())
    return sorted(keys)
