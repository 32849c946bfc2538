"""Reading the vendors' published OpenAPI excerpts in ``fixtures/contracts`` and validating answers.

`PublishedContract.operation` finds the published path template for a concrete request path;
`PublishedContract.check` validates a JSON answer against the operation's response schema, turned
into JSON Schema (``nullable`` → a ``null`` type, ``#/components/schemas`` → ``#/$defs``). With
``strict`` every object schema that lists properties refuses any other member, so a field the mock
invents fails the check.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker

CONTRACTS = Path(__file__).resolve().parents[2] / "fixtures" / "contracts"


def _convert(node: Any, *, strict: bool) -> Any:
    if isinstance(node, list):
        return [_convert(item, strict=strict) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _convert(value, strict=strict) for key, value in node.items() if key != "nullable"}
    if isinstance(out.get("$ref"), str):
        out["$ref"] = out["$ref"].replace("#/components/schemas/", "#/$defs/")
    if node.get("nullable") is True and "type" in out:
        out["type"] = [out["type"], "null"]
    if strict and out.get("type") == "object" and out.get("properties") and "additionalProperties" not in out:
        out["additionalProperties"] = False
    return out


@dataclass
class PublishedContract:
    document: dict[str, Any]

    @classmethod
    def load(cls, relative: str) -> PublishedContract:
        return cls(json.loads((CONTRACTS / relative).read_text("utf-8")))

    def templates(self) -> list[tuple[str, str]]:
        """(METHOD, path template) of every published operation in the excerpt."""
        return [(m.upper(), p) for p, ops in self.document["paths"].items() for m in ops]

    def operation(self, method: str, path: str) -> tuple[str, dict[str, Any]] | None:
        """The published template matching a concrete path (literal segments win over parameters)."""
        found: list[tuple[int, str, dict[str, Any]]] = []
        for template, operations in self.document["paths"].items():
            regex = "^" + re.sub(r"\\\{[^}]+\\\}", r"[^/]+", re.escape(template)) + "/?$"
            operation = operations.get(method.lower())
            if operation is not None and re.match(regex, path):
                found.append((template.count("{"), template, operation))
        if not found:
            return None
        _params, template, operation = min(found, key=lambda f: f[0])
        return template, operation

    def schema_for(self, reference: str, *, strict: bool) -> dict[str, Any]:
        definitions = _convert(self.document["components"]["schemas"], strict=strict)
        return {"$defs": definitions, "$ref": reference.replace("#/components/schemas/", "#/$defs/")}

    def errors(self, method: str, path: str, status: int, body: Any, *, strict: bool = True) -> list[str]:
        """Why `body` does not fit the published response of ``method path`` (empty: it fits)."""
        found = self.operation(method, path)
        if found is None:
            return [f"{method} {path} is not a published operation"]
        template, operation = found
        responses = operation["responses"]
        if str(status) not in responses:
            return [f"{method} {template} answered {status}; published: {sorted(responses)}"]
        response = responses[str(status)]
        if response is None:
            return [] if body in (None, b"", "") else [f"{method} {template} {status} publishes no body"]
        validator = Draft202012Validator(
            self.schema_for(response["$ref"], strict=strict), format_checker=FormatChecker()
        )
        return [
            f"{method} {template} {status}: {'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}"
            for e in validator.iter_errors(body)
        ]
