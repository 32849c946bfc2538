"""The public API: `opspack.__all__` is pinned, every name imports, and ``import opspack`` is lazy."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

import opspack

PUBLIC = [
    "APAgent",
    "Action",
    "AgentError",
    "ConnectorError",
    "ConnectorLayerError",
    "FakeCRM",
    "FakeDirectory",
    "FakeERP",
    "FakeITSM",
    "GovernanceError",
    "Governor",
    "IntakeAgent",
    "OpspackError",
    "Policy",
    "ServiceDeskAgent",
    "SpendRun",
    "Store",
    "classify_file",
    "load_policy",
]
"""Changing this list changes the supported API: say so in the changelog."""


def test_all_is_pinned() -> None:
    assert sorted(opspack.__all__) == PUBLIC
    assert len(set(opspack.__all__)) == len(opspack.__all__)


@pytest.mark.parametrize("name", PUBLIC)
def test_each_name_imports_from_its_home(name: str) -> None:
    namespace: dict[str, object] = {}
    exec(f"from opspack import {name}", namespace)
    value = namespace[name]
    home = importlib.import_module(opspack._HOMES[name])
    assert value is getattr(home, name)
    assert getattr(value, "__name__", None) == name


def test_error_roots_are_roots() -> None:
    assert issubclass(opspack.ConnectorError, opspack.ConnectorLayerError)
    for root in (
        opspack.ConnectorLayerError,
        opspack.GovernanceError,
        opspack.AgentError,
        opspack.OpspackError,
    ):
        assert root.__bases__ == (Exception,)


def test_unknown_names_are_attribute_errors() -> None:
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        _ = opspack.Nope  # type: ignore[attr-defined]
    assert set(PUBLIC) <= set(dir(opspack))


def test_import_opspack_loads_no_layer_below() -> None:
    probe = (
        "import sys, opspack; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('agents', 'connectors', 'governance', 'mocks', 'observability') or m.startswith('opspack.')))"
    )
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "[]", loaded
