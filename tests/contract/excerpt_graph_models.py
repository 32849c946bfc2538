"""Cut ``fixtures/contracts/msgraph/models.excerpt.json`` from the installed msgraph-sdk.

Microsoft generates msgraph-sdk's model classes (with Kiota) from the Microsoft Graph v1.0 OpenAPI
description, itself converted from the CSDL in ``microsoftgraph/msgraph-metadata``. Each model's
``get_field_deserializers`` names every published property and how it is read
(``get_str_value``, ``get_bool_value``, ``get_collection_of_object_values(X)`` …). This script turns the
models the Graph mock answers with (and the complex types they hold) into JSON Schema definitions,
every property nullable, as Graph sends ``null`` for unset properties. Run it by hand to refresh
the excerpt: ``python -m tests.contract.excerpt_graph_models``.
"""

from __future__ import annotations

import importlib
import inspect
import json
import re
from importlib.metadata import version
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parents[2] / "fixtures" / "contracts" / "msgraph" / "models.excerpt.json"
ROOTS = ("User", "Group", "Message", "FileAttachment", "ItemAttachment", "DirectoryRole", "Application")
_FIELD = re.compile(
    r'"(?P<name>[^"]+)": lambda n : setattr\(self, \'\w+\', n\.(?P<getter>\w+)\((?P<arg>[^)]*)\)\)'
)
_SCALAR: dict[str, dict[str, Any]] = {
    "get_str_value": {"type": ["string", "null"]},
    "get_bool_value": {"type": ["boolean", "null"]},
    "get_int_value": {"type": ["integer", "null"]},
    "get_float_value": {"type": ["number", "null"]},
    "get_datetime_value": {"type": ["string", "null"], "format": "date-time"},
    "get_date_value": {"type": ["string", "null"], "format": "date"},
    "get_time_value": {"type": ["string", "null"]},
    "get_timedelta_value": {"type": ["string", "null"]},
    "get_uuid_value": {"type": ["string", "null"], "format": "uuid"},
    "get_bytes_value": {"type": ["string", "null"]},
    "get_enum_value": {"type": ["string", "null"]},
}
_PRIMITIVE_ITEMS = {"str": "string", "bool": "boolean", "int": "integer", "float": "number", "UUID": "string"}


_IMPORT = re.compile(r"from \.(?P<module>[\w.]+) import (?P<name>\w+)")
_MODULES: dict[str, str] = {"User": "user", "Group": "group", "Message": "message",
                            "FileAttachment": "file_attachment", "ItemAttachment": "item_attachment",
                            "DirectoryRole": "directory_role", "Application": "application"}  # fmt: skip


def _model(class_name: str) -> type:
    module = importlib.import_module("msgraph.generated.models." + _MODULES[class_name])
    return getattr(module, class_name)


def _schema(getter: str, arg: str, wanted: list[str]) -> dict[str, Any]:
    if getter in _SCALAR:
        return dict(_SCALAR[getter])
    if getter == "get_object_value":
        wanted.append(arg)
        return {"anyOf": [{"$ref": f"#/$defs/{arg}"}, {"type": "null"}]}
    if getter == "get_collection_of_object_values":
        wanted.append(arg)
        return {"type": ["array", "null"], "items": {"$ref": f"#/$defs/{arg}"}}
    if getter == "get_collection_of_enum_values":
        return {"type": ["array", "null"], "items": {"type": "string"}}
    if getter == "get_collection_of_primitive_values":
        return {"type": ["array", "null"], "items": {"type": _PRIMITIVE_ITEMS.get(arg, "string")}}
    raise ValueError(f"unknown Kiota getter {getter}({arg})")


def _definition(cls: type, wanted: list[str]) -> dict[str, Any]:
    properties: dict[str, Any] = {}
    for klass in reversed(cls.__mro__):  # base types first, as OData inheritance does
        if not klass.__module__.startswith("msgraph.generated.models."):
            continue
        source = inspect.getsource(klass.get_field_deserializers)  # type: ignore[attr-defined]
        package = klass.__module__.rsplit(".", 1)[0]
        for found in _IMPORT.finditer(source):  # the function imports the types its fields hold
            _MODULES.setdefault(
                found["name"], f"{package}.{found['module']}".removeprefix("msgraph.generated.models.")
            )
        for match in _FIELD.finditer(source):
            properties[match["name"]] = _schema(match["getter"], match["arg"], wanted)
    return {"type": "object", "properties": dict(sorted(properties.items()))}


def excerpt(roots: tuple[str, ...] = ROOTS, depth: int = 1) -> dict[str, Any]:
    """Definitions for `roots` and the types they reference, `depth` levels down (deeper: open objects)."""
    definitions: dict[str, Any] = {}
    frontier = list(roots)
    for _level in range(depth + 1):
        wanted: list[str] = []
        for name in frontier:
            if name not in definitions:
                definitions[name] = _definition(_model(name), wanted)
        frontier = [w for w in wanted if w not in definitions]
    for name in frontier:  # referenced beyond the cut: any object
        definitions.setdefault(name, {"type": "object"})
    return {
        "x-source": {
            "document": "Microsoft Graph v1.0 OpenAPI (from microsoftgraph/msgraph-metadata CSDL), "
            "as generated into msgraph-sdk's models by Kiota",
            "package": f"msgraph-sdk=={version('msgraph-sdk')} (PyPI), msgraph/generated/models/",
            "licence": "MIT",
        },
        "$defs": dict(sorted(definitions.items())),
    }


if __name__ == "__main__":
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(excerpt(), indent=1) + "\n", "utf-8")
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes)")
