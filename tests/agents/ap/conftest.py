"""Invoice fixtures for the AP tests: a seeded batch generated once per session into a temp dir."""

from __future__ import annotations

import importlib.util
import json
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[3]
GENERATOR = ROOT / "fixtures" / "invoices" / "generate.py"
SAMPLES = GENERATOR.parent / "samples"
PER_LAYOUT = 5


def _use_the_real_agents_package() -> None:
    """This directory is ``tests/agents/ap``; with ``tests/`` on sys.path (rootdir conftest) and the
    repository root not, ``agents`` imports as a namespace package over ``tests/agents`` and
    ``agents.ap`` resolves to this test directory. Putting the root on sys.path lets the regular
    package win; stale namespace modules are dropped so they re-import from the right place."""
    if str(ROOT) not in sys.path:
        sys.path.append(str(ROOT))
    for name in [n for n in sys.modules if n == "agents" or n.startswith("agents.ap")]:
        if getattr(sys.modules[name], "__file__", None) is None:
            del sys.modules[name]


_use_the_real_agents_package()


def load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("invoice_fixture_generator", GENERATOR)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _truth_of(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.with_name(path.name + ".truth.json").read_text(encoding="utf-8"))
    return data


TruthOf = Callable[[Path], dict[str, Any]]


@pytest.fixture(scope="session")
def truth_of() -> TruthOf:
    """Reads the ground truth written next to a generated document."""
    return _truth_of


@pytest.fixture(scope="session")
def samples_dir() -> Path:
    return SAMPLES


@pytest.fixture(scope="session")
def invoice_generator() -> ModuleType:
    return load_generator()


@pytest.fixture(scope="session")
def generated_pdfs(invoice_generator: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """`PER_LAYOUT` PDFs for every layout, with ground truth next to each."""
    out = tmp_path_factory.mktemp("invoices")
    count = PER_LAYOUT * len(invoice_generator.LAYOUTS)
    return sorted(invoice_generator.generate_pdfs(out, count, seed=7).documents)


@pytest.fixture(scope="session")
def structured_set(invoice_generator: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """UBL, CII, Factur-X and the negative samples."""
    return invoice_generator.generate_structured(tmp_path_factory.mktemp("structured"))
