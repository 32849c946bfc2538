"""In-memory tables behind the SAP mock, keyed the way OData keys them, plus the v2 JSON encoding.

Rows hold decoded Python values (Decimal, naive UTC datetime, bool, str); `encode_entity` turns a
row into the verbose v2 JSON an S/4 system sends (``__metadata``, ``__deferred`` navigation links
or expanded ``{"results": [...]}``), and `load_fixtures` reads the same wire format back.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from connectors.fixture_files import fixture_path
from mocks.base import MockHttpError
from mocks.sap.odata_query import decode_value, encode_value
from mocks.sap.schema import SERVICES, EntitySet, Service

Row = dict[str, Any]
Key = tuple[str, ...]
FIXTURES = fixture_path("sap")


def entity_set(service: Service, name: str) -> EntitySet:
    found = service.sets.get(name)
    if found is None:
        raise MockHttpError(404, f"Resource not found for segment '{name}'", code="/IWBEP/CM_MGW_RT/021")
    return found


class SapTables:
    """Every entity set of every served service: ``tables[set_name][key] = row``."""

    def __init__(self) -> None:
        self.tables: dict[str, dict[Key, Row]] = {s: {} for svc in SERVICES.values() for s in svc.sets}
        self.service_of: dict[str, Service] = {s: svc for svc in SERVICES.values() for s in svc.sets}

    def key_of(self, set_name: str, row: Row) -> Key:
        return tuple(str(row[k]) for k in self.service_of[set_name].sets[set_name].keys)

    def insert(self, set_name: str, row: Row) -> None:
        self.tables[set_name][self.key_of(set_name, row)] = row

    def get(self, set_name: str, keys: dict[str, str]) -> Row:
        spec = self.service_of[set_name].sets[set_name]
        row = self.tables[set_name].get(tuple(keys[k] for k in spec.keys))
        if row is None:
            shown = ",".join(f"{k}='{v}'" for k, v in keys.items())
            raise MockHttpError(
                404,
                f"Resource not found for segment '{spec.type_name}' with key ({shown})",
                code="/IWBEP/CM_MGW_RT/021",
            )
        return row

    def rows(self, set_name: str) -> list[Row]:
        return list(self.tables[set_name].values())

    def related(self, set_name: str, row: Row, nav_name: str) -> list[Row]:
        nav = self.service_of[set_name].sets[set_name].navigations[nav_name]
        return [
            candidate
            for candidate in self.tables[nav.target].values()
            if all(str(candidate.get(target)) == str(row.get(source)) for target, source in nav.keys)
        ]


def decode_row(spec: EntitySet, raw: dict[str, Any], *, partial: bool = False) -> Row:
    """Wire JSON -> row; unknown properties answer 400 as SAP Gateway does."""
    row: Row = {}
    for name, value in raw.items():
        if name == "__metadata" or name in spec.navigations:
            continue
        edm = spec.properties.get(name)
        if edm is None:
            raise MockHttpError(
                400,
                f"Property '{name}' is invalid for entity type '{spec.type_name}'",
                code="/IWBEP/CM_MGW_RT/004",
            )
        row[name] = decode_value(edm, name, value)
    if not partial:
        for name, edm in spec.properties.items():
            row.setdefault(name, False if edm == "Edm.Boolean" else ("" if edm == "Edm.String" else None))
    return row


def entity_uri(base: str, service: Service, spec: EntitySet, row: Row) -> str:
    if len(spec.keys) == 1:
        predicate = f"'{row[spec.keys[0]]}'"
    else:
        predicate = ",".join(f"{k}='{row[k]}'" for k in spec.keys)
    return f"{base}/sap/opu/odata/sap/{service.name}/{spec.name}({predicate})"


def encode_entity(
    tables: SapTables,
    base: str,
    set_name: str,
    row: Row,
    expand: dict[str, Any],
    select: set[str] | None = None,
) -> dict[str, Any]:
    """Verbose v2 JSON for `row`; `expand` is a tree of navigation names to inline."""
    service = tables.service_of[set_name]
    spec = service.sets[set_name]
    uri = entity_uri(base, service, spec, row)
    body: dict[str, Any] = {"__metadata": {"id": uri, "uri": uri, "type": f"{service.name}.{spec.type_name}"}}
    for name, edm in spec.properties.items():
        if select is None or name in select:
            body[name] = encode_value(edm, row.get(name))
    for nav_name, nav in spec.navigations.items():
        if nav_name in expand:
            children = [
                encode_entity(tables, base, nav.target, child, expand[nav_name])
                for child in tables.related(set_name, row, nav_name)
            ]
            body[nav_name] = {"results": children} if nav.many else (children[0] if children else None)
        elif select is None or nav_name in select:
            body[nav_name] = {"__deferred": {"uri": f"{uri}/{nav_name}"}}
    return body


def parse_expand(text: str, set_name: str, tables: SapTables) -> dict[str, Any]:
    """``to_A,to_A/to_B`` -> {"to_A": {"to_B": {}}}, validated against the navigation properties."""
    tree: dict[str, Any] = {}
    for path in filter(None, (part.strip() for part in text.split(","))):
        node, current = tree, set_name
        for step in path.split("/"):
            spec = tables.service_of[current].sets[current]
            nav = spec.navigations.get(step)
            if nav is None:
                raise MockHttpError(
                    400,
                    f"Property '{step}' not found in type '{spec.type_name}'",
                    code="/IWBEP/CM_MGW_RT/004",
                )
            node = node.setdefault(step, {})
            current = nav.target
    return tree


@lru_cache(maxsize=4)
def _read_fixture_files(root: str) -> dict[str, str]:
    """Each entity set's fixture file as text, read once; every mock parses its own fresh rows
    from it (json.loads is about twice as fast as deep-copying rows parsed once)."""
    return {path.stem: path.read_text(encoding="utf-8") for path in sorted(Path(root).glob("*/*.json"))}


def load_fixtures(tables: SapTables, root: Path = FIXTURES) -> None:
    """Seed `tables` from ``fixtures/sap/<SERVICE>/<EntitySet>.json`` (verbose v2 collections)."""
    files = _read_fixture_files(str(root))
    if not files:
        raise FileNotFoundError(f"no SAP fixtures under {root}")
    for set_name, text in files.items():
        if set_name not in tables.tables:
            raise ValueError(f"fixture {set_name}.json names no served entity set")
        spec = tables.service_of[set_name].sets[set_name]
        for raw in json.loads(text)["d"]["results"]:
            tables.insert(set_name, decode_row(spec, raw))
