"""Small helpers turning XML element text into invoice fields with XML-path evidence."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Literal
from xml.etree.ElementTree import Element

from agents.ap.invoice import Evidence, Field

XmlSource = Literal["ubl", "cii"]


def text_at(root: Element, path: str, ns: dict[str, str]) -> str | None:
    node = root.find(path, ns)
    if node is None or node.text is None or not node.text.strip():
        return None
    return node.text.strip()


def text_field(root: Element, path: str, ns: dict[str, str], source: XmlSource) -> Field[str]:
    value = text_at(root, path, ns)
    if value is None:
        return Field[str].missing()
    return Field[str](value=value, confidence=1.0, evidence=Evidence(text=f"{path} = {value}", source=source))


def decimal_field(root: Element, path: str, ns: dict[str, str], source: XmlSource) -> Field[Decimal]:
    value = text_at(root, path, ns)
    if value is None:
        return Field[Decimal].missing()
    try:
        number = abs(Decimal(value))
    except InvalidOperation:
        return Field[Decimal](
            value=None, confidence=0.0, evidence=Evidence(text=f"{path} = {value}", source=source)
        )
    return Field[Decimal](
        value=number, confidence=1.0, evidence=Evidence(text=f"{path} = {value}", source=source)
    )


def date_field(root: Element, path: str, ns: dict[str, str], source: XmlSource) -> Field[date]:
    value = text_at(root, path, ns)
    if value is None:
        return Field[date].missing()
    parsed: date | None = None
    for pattern in ("%Y-%m-%d", "%Y%m%d"):
        try:
            parsed = datetime.strptime(value, pattern).date()
            break
        except ValueError:
            continue
    evidence = Evidence(text=f"{path} = {value}", source=source)
    return Field[date](value=parsed, confidence=1.0 if parsed else 0.0, evidence=evidence)


def iban_field(
    root: Element, path: str, ns: dict[str, str], source: XmlSource, warnings: list[str]
) -> Field[str]:
    from connectors.erp.models import iban_is_valid

    found = text_field(root, path, ns, source)
    if found.value is None:
        return found
    compact = found.value.replace(" ", "").upper()
    if not iban_is_valid(compact):
        warnings.append(f"IBAN {compact} fails the ISO 13616 mod-97 checksum")
        return Field[str](value=compact, confidence=0.3, evidence=found.evidence)
    return Field[str](value=compact, confidence=1.0, evidence=found.evidence)
