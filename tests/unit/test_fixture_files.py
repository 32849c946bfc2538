"""Fixtures are package data behind one accessor, `connectors.fixture_files`.

The wheel test builds the distribution the way a user's pip does (``pip wheel --no-deps``) and
checks that it carries every file of the top-level ``fixtures/`` folder under ``opspack/fixtures/``,
where the accessor looks in an installed copy.
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from connectors import fixture_files
from connectors.fixture_files import FIXTURES_ENV, fixture_path, fixtures_dir

ROOT = Path(__file__).resolve().parents[2]

NEEDED = (
    "policy.yaml",
    "connections.yaml",
    "mock_secrets.yaml",
    "autonomy.yaml",
    "service_desk/config.yaml",
    "intake/catalogue.yaml",
    "intake/follow_up_prompt.yaml",
    "demo/actions.yaml",
)
"""Files the code opens by default (settings, agent configs, demo); the mocks' seed folders follow."""
MOCK_SEEDS = ("sap", "netsuite", "servicenow", "jsm", "salesforce", "hubspot", "okta", "msgraph", "taxonomy")


def test_source_tree_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(FIXTURES_ENV, raising=False)
    assert fixtures_dir() == ROOT / "fixtures"
    for name in NEEDED:
        assert fixture_path(*name.split("/")).is_file(), name
    for folder in MOCK_SEEDS:
        assert any(fixture_path(folder).iterdir()), folder


def test_opspack_fixtures_overrides(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(FIXTURES_ENV, str(tmp_path))
    assert fixtures_dir() == tmp_path
    assert fixture_path("sap", "vendors.json") == tmp_path / "sap" / "vendors.json"


def test_installed_package_data_wins_over_the_source_tree(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    installed = tmp_path / "opspack" / "fixtures"
    installed.mkdir(parents=True)
    monkeypatch.delenv(FIXTURES_ENV, raising=False)
    monkeypatch.setattr(fixture_files, "_INSTALLED", installed)
    assert fixtures_dir() == installed


def test_settings_and_mocks_read_through_the_accessor() -> None:
    from mocks.sap.store import FIXTURES as sap_seed
    from opspack.settings import FIXTURES_DIR

    assert fixtures_dir() == FIXTURES_DIR
    assert sap_seed == fixture_path("sap")


def _tree_files() -> set[str]:
    base = ROOT / "fixtures"
    return {
        path.relative_to(base).as_posix()
        for path in base.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    }


@pytest.mark.slow
def test_the_wheel_ships_the_fixtures(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
        check=True,
        cwd=tmp_path,
        timeout=600,
    )
    (wheel,) = tmp_path.glob("opspack-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    shipped = {
        name.removeprefix("opspack/fixtures/") for name in names if name.startswith("opspack/fixtures/")
    }
    assert set(NEEDED) <= shipped
    for folder in MOCK_SEEDS:
        assert any(name.startswith(f"{folder}/") for name in shipped), folder
    missing = sorted(_tree_files() - shipped)
    assert not missing, f"fixtures not in the wheel: {missing[:20]}"
    assert "connectors/fixture_files.py" in names
