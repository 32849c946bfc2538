"""One exception tree per layer: every exception class a layer defines derives from its root.

The roots are drawn in each layer's errors module docstring (`connectors.errors` is the example
the others follow). Private exceptions (a leading underscore) are control flow inside their own
module -- raised and caught there, never seen by a caller -- and are not part of a tree.
"""

from __future__ import annotations

import importlib
import inspect
from types import ModuleType

import import_graph
import pytest

import agents.errors
import connectors.errors
import governance.errors
import mocks.errors
import observability.errors
import opspack.errors

ROOTS: dict[str, type[Exception]] = {
    "agents": agents.errors.AgentError,
    "connectors": connectors.errors.ConnectorLayerError,
    "governance": governance.errors.GovernanceError,
    "mocks": mocks.errors.MockError,
    "observability": observability.errors.ObservabilityError,
    "opspack": opspack.errors.OpspackError,
}
ERROR_MODULES = {
    "agents": agents.errors,
    "connectors": connectors.errors,
    "governance": governance.errors,
    "mocks": mocks.errors,
    "observability": observability.errors,
    "opspack": opspack.errors,
}


def _modules(layer: str) -> list[ModuleType]:
    names = import_graph.module_files(packages=(layer,))
    return [importlib.import_module(name) for name in sorted(names) if not name.endswith("__main__")]


def _exceptions(module: ModuleType) -> list[type[BaseException]]:
    return [
        value
        for name, value in vars(module).items()
        if inspect.isclass(value)
        and issubclass(value, BaseException)
        and value.__module__ == module.__name__
        and not name.startswith("_")
    ]


@pytest.mark.parametrize("layer", sorted(ROOTS))
def test_every_exception_of_a_layer_derives_from_its_root(layer: str) -> None:
    root = ROOTS[layer]
    found = [error for module in _modules(layer) for error in _exceptions(module)]
    stray = [f"{error.__module__}.{error.__qualname__}" for error in found if not issubclass(error, root)]
    assert not stray, f"{layer}: exceptions outside {root.__name__}: {stray}"
    assert len(found) > 1  # the walk found the layer's errors, not only an empty list


@pytest.mark.parametrize("layer", sorted(ROOTS))
def test_the_tree_is_drawn_in_the_errors_module(layer: str) -> None:
    doc = ERROR_MODULES[layer].__doc__ or ""
    assert ROOTS[layer].__name__ in doc.splitlines()[2], doc  # the root heads the drawing
    assert "├──" in doc or "└──" in doc


def test_one_not_found_error_per_tree_and_one_scenario_error() -> None:
    assert governance.errors.NotFoundError is governance.errors.RecordNotFoundError
    assert not issubclass(governance.errors.RecordNotFoundError, connectors.errors.NotFoundError)
    from agents.ap.scenarios import ScenarioError as ap
    from agents.handoff_flows.replay import ScenarioError as handoff
    from agents.intake.scenarios import ScenarioError as intake
    from agents.procurement.errors import ScenarioError as procurement
    from agents.service_desk.scenarios import ScenarioError as desk

    assert ap is handoff is intake is desk is agents.errors.ScenarioError
    assert issubclass(procurement, agents.errors.ScenarioError)


def test_free_standing_errors_joined_their_layer_and_kept_their_builtin_base() -> None:
    from connectors.live import LiveCallBlocked
    from connectors.readonly import WriteNotPermittedError
    from mocks.messages import MockRouteMissing

    assert issubclass(LiveCallBlocked, connectors.errors.ConnectorLayerError)
    assert issubclass(LiveCallBlocked, RuntimeError)
    assert not issubclass(LiveCallBlocked, connectors.errors.ConnectorError)  # not a vendor failure
    assert issubclass(WriteNotPermittedError, AttributeError)
    assert issubclass(MockRouteMissing, LookupError)
    assert str(LiveCallBlocked("live call blocked: x")) == "live call blocked: x"
