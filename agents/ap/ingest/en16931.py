"""EN 16931 pieces both XML syntaxes share: amounts in the document currency, the totals chain
and the fields derived from it.

Totals (BR-CO-10/13/15/16): line total BT-106 − allowances BT-107 + charges BT-108 = tax
exclusive BT-109; BT-109 + tax BT-110 = tax inclusive BT-112; BT-112 − prepaid BT-113 (+ rounding
BT-114) = payable BT-115. A structured document is read as stated (confidence 1.0); where the
chain does not hold the reader says so in a warning and the matcher's arithmetic controls raise
`math_error`. A missing BT-112 is derived from BT-115 + BT-113, a missing BT-109 from the chain.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from xml.etree.ElementTree import Element

from agents.ap.bank_accounts import StatedAccount
from agents.ap.ingest.xml_fields import XmlSource, text_field
from agents.ap.invoice import Evidence, Field

_TOLERANCE = Decimal("0.02")


def money_field(
    root: Element,
    path: str,
    ns: dict[str, str],
    source: XmlSource,
    currency: str | None,
    warnings: list[str],
) -> Field[Decimal]:
    """The amount at `path` in the document currency.

    EN 16931 states the tax total twice when the accounting currency differs (BT-110 and BT-111),
    told apart only by ``currencyID``: the one in the document currency wins. A single amount in
    another currency than the document's is a contradiction and is read with low confidence.
    """
    nodes = [node for node in root.findall(path, ns) if node.text and node.text.strip()]
    if not nodes:
        return Field[Decimal].missing()
    chosen = next((node for node in nodes if currency and node.get("currencyID") == currency), nodes[0])
    raw = (chosen.text or "").strip()
    stated = chosen.get("currencyID")
    evidence = Evidence(text=f"{path} = {raw}" + (f" {stated}" if stated else ""), source=source)
    try:
        value = abs(Decimal(raw))
    except InvalidOperation:
        warnings.append(f"{path}: {raw!r} is not a number")
        return Field[Decimal](value=None, confidence=0.0, evidence=evidence)
    if currency and stated and stated != currency:
        warnings.append(f"{path} is stated in {stated}, the document currency is {currency}")
        return Field[Decimal](value=value, confidence=0.5, evidence=evidence)
    return Field[Decimal](value=value, confidence=1.0, evidence=evidence)


def derived(value: Decimal, how: str, source: XmlSource) -> Field[Decimal]:
    return Field[Decimal](value=value, confidence=1.0, evidence=Evidence(text=how, source=source))


def currency_field(
    root: Element, path: str, amount_paths: tuple[str, ...], ns: dict[str, str], source: XmlSource
) -> Field[str]:
    """BT-5, or when absent the ``currencyID`` the amounts carry."""
    stated = text_field(root, path, ns, source)
    if stated.value is not None:
        return Field[str](value=stated.value.upper(), confidence=1.0, evidence=stated.evidence)
    for amount_path in amount_paths:
        node = root.find(amount_path, ns)
        if node is not None and node.get("currencyID"):
            code = str(node.get("currencyID")).upper()
            return Field[str](
                value=code,
                confidence=1.0,
                evidence=Evidence(text=f"{amount_path}/@currencyID = {code}", source=source),
            )
    return stated


def sum_or_stated(
    stated: Field[Decimal], parts: list[Decimal], how: str, source: XmlSource
) -> Field[Decimal]:
    """A total the document states, or the sum of its parts when it states the parts only."""
    if stated.value is not None or not parts:
        return stated
    return derived(sum(parts, Decimal(0)), how, source)


def _absent(field: Field[Decimal]) -> bool:
    """Not stated at all (a stated but unreadable amount is never replaced by a derived one)."""
    return field.value is None and field.evidence is None


def complete_totals(
    *,
    line_total: Field[Decimal],
    allowances: Field[Decimal],
    charges: Field[Decimal],
    subtotal: Field[Decimal],
    tax: Field[Decimal],
    total: Field[Decimal],
    prepaid: Field[Decimal],
    rounding: Field[Decimal],
    payable: Field[Decimal],
    source: XmlSource,
    warnings: list[str],
) -> tuple[Field[Decimal], Field[Decimal], Field[Decimal]]:
    """(subtotal, total, payable) with the missing ones derived; warnings for broken links."""
    zero = Decimal(0)
    off = (allowances.value or zero, charges.value or zero, prepaid.value or zero, rounding.value or zero)
    allowance, charge, paid, rounded = off
    if _absent(total) and payable.value is not None:
        total = derived(payable.value + paid - rounded, "PayableAmount + PrepaidAmount − rounding", source)
    if _absent(subtotal) and line_total.value is not None:
        subtotal = derived(line_total.value - allowance + charge, "line total − allowances + charges", source)
    if _absent(subtotal) and total.value is not None and tax.value is not None:
        subtotal = derived(total.value - tax.value, "total − tax", source)
    if _absent(payable) and total.value is not None:
        payable = derived(total.value - paid + rounded, "total − prepaid + rounding", source)
    if line_total.value is not None and subtotal.value is not None:
        expected = line_total.value - allowance + charge
        if abs(expected - subtotal.value) > _TOLERANCE:
            warnings.append(
                f"BR-CO-13: line total {line_total.value} − allowances {allowance} + charges {charge} "
                f"= {expected}, tax exclusive amount reads {subtotal.value}"
            )
    if None not in (subtotal.value, tax.value, total.value):
        assert subtotal.value is not None and tax.value is not None and total.value is not None
        if abs(subtotal.value + tax.value - total.value) > _TOLERANCE:
            warnings.append(f"BR-CO-15: {subtotal.value} + tax {tax.value} ≠ total {total.value}")
    if (
        total.value is not None
        and payable.value is not None
        and abs(total.value - paid + rounded - payable.value) > _TOLERANCE
    ):
        warnings.append(f"BR-CO-16: total {total.value} − prepaid {paid} ≠ payable {payable.value}")
    return subtotal, total, payable


def account_fields(
    stated: StatedAccount, evidence: Evidence | None, warnings: list[str]
) -> tuple[Field[str], Field[str], Field[str]]:
    """(iban, domestic account, bank code) fields from a stated account."""
    problem = stated.problem
    if problem:
        warnings.append(problem)
    confidence = 0.3 if problem else 1.0

    def field(value: str | None) -> Field[str]:
        if value is None:
            return Field[str].missing()
        return Field[str](value=value, confidence=confidence, evidence=evidence)

    return field(stated.iban), field(stated.account_number), field(stated.bank_code)
