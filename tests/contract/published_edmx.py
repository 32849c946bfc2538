"""Reading SAP's published EDMX excerpts in ``fixtures/contracts/sap`` and checking OData V2 answers.

`entity_types` reads an EDMX document's entity types (key, properties with their facets,
navigation names); `value_problems` says why a JSON value is not how OData V2 carries a property
(strings within ``MaxLength``, ``Edm.Decimal`` as a string within ``Precision``/``Scale``,
``Edm.DateTime`` as ``/Date(ms)/``, ``Edm.Boolean`` as a JSON boolean); `entity_problems` applies
that to every member of an entity the mock answered.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any

from published_contract import CONTRACTS

EDM = "{http://schemas.microsoft.com/ado/2008/09/edm}"
CUSTOM_FIELDS = {"YY1_SpendCategory_PDI"}
"""Key-user custom fields (an installation's extensions, never in SAP's document)."""


@dataclass(frozen=True)
class Prop:
    type: str
    nullable: bool
    max_length: int | None
    precision: int | None
    scale: int | None


EntityTypes = dict[str, tuple[tuple[str, ...], dict[str, Prop], set[str]]]


def _int(value: str | None) -> int | None:
    return int(value) if value is not None else None


def entity_types(edmx: str) -> EntityTypes:
    """EntityType name -> (key, properties, navigation names) of an EDMX document."""
    found = {}
    for entity in ET.fromstring(edmx).iter(f"{EDM}EntityType"):
        key = tuple(r.attrib["Name"] for r in entity.iter(f"{EDM}PropertyRef"))
        props = {
            p.attrib["Name"]: Prop(
                p.attrib["Type"],
                p.attrib.get("Nullable", "true") == "true",
                _int(p.attrib.get("MaxLength")),
                _int(p.attrib.get("Precision")),
                _int(p.attrib.get("Scale")),
            )
            for p in entity.findall(f"{EDM}Property")
        }
        navigations = {n.attrib["Name"] for n in entity.findall(f"{EDM}NavigationProperty")}
        found[entity.attrib["Name"]] = (key, props, navigations)
    return found


def excerpt(service: str) -> str:
    """The excerpt of `service` (``;v=0002`` in a service name is ``_V0002`` in the file name)."""
    return (CONTRACTS / "sap" / f"{service.replace(';v=', '_V')}.excerpt.edmx").read_text("utf-8")


def value_problems(name: str, value: Any, prop: Prop) -> list[str]:
    """Why `value` is not how OData V2 JSON carries a `prop` (empty: it is)."""
    if value is None:
        return [] if prop.nullable else [f"{name}: null but not nullable"]
    if prop.type == "Edm.String":
        if not isinstance(value, str):
            return [f"{name}: {value!r} is not a string"]
        if prop.max_length is not None and len(value) > prop.max_length:
            return [f"{name}: {value!r} is longer than MaxLength {prop.max_length}"]
    elif prop.type == "Edm.Decimal":
        match = re.fullmatch(r"-?(\d+)(?:\.(\d+))?", value) if isinstance(value, str) else None
        if match is None:
            return [f"{name}: {value!r} is not an Edm.Decimal string"]
        whole, fraction = match[1].lstrip("0"), (match[2] or "").rstrip("0")
        if prop.scale is not None and len(fraction) > prop.scale:
            return [f"{name}: {value!r} has more than Scale {prop.scale} decimals"]
        if prop.precision is not None and len(whole) > prop.precision - (prop.scale or 0):
            return [f"{name}: {value!r} exceeds Precision {prop.precision}"]
    elif prop.type == "Edm.DateTime":
        if not (isinstance(value, str) and re.fullmatch(r"/Date\(-?\d+\)/", value)):
            return [f"{name}: {value!r} is not /Date(ms)/"]
    elif prop.type == "Edm.Boolean" and not isinstance(value, bool):
        return [f"{name}: {value!r} is not a boolean"]
    return []


def entity_problems(row: dict[str, Any], type_name: str, published: EntityTypes) -> list[str]:
    """Why the mock's JSON `row` is not a published `type_name` entity (empty: it is)."""
    _key, props, navigations = published[type_name]
    found: list[str] = []
    for name, value in row.items():
        if name == "__metadata" or name in CUSTOM_FIELDS or name in navigations:
            continue
        if name not in props:
            found.append(f"{type_name}.{name}: not a published property")
            continue
        found += [f"{type_name}.{p}" for p in value_problems(name, value, props[name])]
    return found
