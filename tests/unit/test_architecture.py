"""The architecture's must-shows, read from the source: no import cycles, imports only run down the
layers, no module over 400 lines.

The import graph (`import_graph`) counts every import -- top-level, function-local and those under
``if TYPE_CHECKING:`` -- because a cycle hidden in a function or a type-only import is still a
knot a reader has to untie. Each failure prints every offender, not only the first.
"""

from __future__ import annotations

import import_graph
import pytest

MAX_LINES = 400

MAY_IMPORT: dict[str, frozenset[str]] = {
    "opspack": frozenset({"agents", "governance", "mocks", "connectors", "observability"}),
    "agents": frozenset({"governance", "connectors", "observability"}),
    "governance": frozenset({"connectors", "observability"}),
    "mocks": frozenset({"connectors", "observability"}),
    "connectors": frozenset({"observability"}),
    "observability": frozenset(),
    "fixtures": frozenset({"agents", "governance", "mocks", "connectors", "observability"}),
}
"""Which other top-level packages each one may import (docs/ARCHITECTURE.md §1): opspack (the
shell) -> agents -> governance -> connectors; the shell also wires mocks, which import connectors'
models; observability is the ground everyone marks steps with. The fixture generators are scripts
that build data from any library layer; nothing imports them."""

VENDOR_ADAPTERS = frozenset(
    {"hubspot", "jsm", "msgraph", "netsuite", "okta", "salesforce", "sap", "servicenow"}
)
"""`connectors/<vendor>/` packages: governance never imports one (it works on Protocols only)."""


@pytest.fixture(scope="module")
def graph() -> import_graph.Graph:
    return import_graph.build()


def test_the_graph_sees_every_kind_of_import(graph: import_graph.Graph) -> None:
    # A function-local import (FakeERP.sample) and a TYPE_CHECKING one (tracing_sdk) are edges too.
    assert "connectors.erp.sample_data" in graph.edges["connectors.erp.fake"]
    assert "observability.tracing_config" in graph.edges["observability.tracing_sdk"]
    assert len(graph.files) > 300


def test_cycle_finder_finds_a_cycle() -> None:
    knot = import_graph.Graph(files={}, edges={"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}})
    assert import_graph.cycles(knot) == [["a", "b", "c"]]


def test_no_import_cycles(graph: import_graph.Graph) -> None:
    found = import_graph.cycles(graph)
    for component in found:
        print(f"cycle of {len(component)}: {' <-> '.join(component)}")
    assert not found, f"{len(found)} import cycles (printed above): " + "; ".join(map(str, found))


def test_imports_run_down_the_layers(graph: import_graph.Graph) -> None:
    wrong = []
    for module, targets in sorted(graph.edges.items()):
        home = import_graph.layer(module)
        for target in sorted(targets):
            there = import_graph.layer(target)
            if there != home and there not in MAY_IMPORT[home]:
                wrong.append(f"{module} -> {target}")
            if home == "governance" and target.split(".")[:2] in (["connectors", v] for v in VENDOR_ADAPTERS):
                wrong.append(f"{module} -> {target} (a vendor adapter)")
    for line in wrong:
        print(line)
    assert not wrong, f"{len(wrong)} imports against the layering (printed above)"


def test_no_module_over_the_size_limit(graph: import_graph.Graph) -> None:
    sizes = {
        module: len(path.read_text(encoding="utf-8").splitlines()) for module, path in graph.files.items()
    }
    big = sorted((lines, module) for module, lines in sizes.items() if lines > MAX_LINES)
    for lines, module in big:
        print(f"{lines:5d} {graph.files[module].relative_to(import_graph.ROOT)}")
    assert not big, f"{len(big)} modules over {MAX_LINES} lines (printed above)"
