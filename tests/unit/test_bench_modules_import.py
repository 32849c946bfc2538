"""`make bench` collects tests/bench, which `make test` skips: each bench module must at least import.

A renamed or moved name otherwise breaks the benchmarks silently until someone runs them (two did).
Importing a module runs no benchmark."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"
MODULES = sorted(BENCH.glob("test_*.py"))


def test_the_bench_folder_is_found() -> None:
    assert len(MODULES) >= 10, f"expected the benchmark modules under {BENCH}"


@pytest.mark.parametrize("path", MODULES, ids=lambda path: path.stem)
def test_bench_module_imports(path: Path) -> None:
    name = f"_bench_import_check.{path.stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    finally:
        sys.modules.pop(name, None)
    assert any(attribute.startswith("test_") for attribute in vars(module)), f"{path.name} defines no test"
