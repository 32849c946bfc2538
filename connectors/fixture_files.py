"""The one way to find opspack's fixture files (seed data, example policy and connections, models).

The files live in the repository's top-level ``fixtures/`` folder; a wheel ships the same folder as
package data under ``opspack/fixtures/`` (see pyproject.toml and setup.py). `fixtures_dir` answers,
in this order:

1. ``OPSPACK_FIXTURES``, when set: a deployment's own copy (docs/OPERATIONS.md);
2. the installed package data, ``<site-packages>/opspack/fixtures``;
3. the source tree's ``fixtures/`` (a checkout, or an editable install).

It sits at the bottom of the import graph (connectors/) so that mocks and agents, which may not
import the opspack shell above them, find their defaults the same way the shell does.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["FIXTURES_ENV", "fixture_path", "fixtures_dir"]

FIXTURES_ENV = "OPSPACK_FIXTURES"
_ROOT = Path(__file__).resolve().parents[1]
_INSTALLED = _ROOT / "opspack" / "fixtures"
_SOURCE = _ROOT / "fixtures"


def fixtures_dir() -> Path:
    """The folder fixtures are read from (``OPSPACK_FIXTURES``, the installed data, the source tree)."""
    override = os.environ.get(FIXTURES_ENV, "").strip()
    if override:
        return Path(override).expanduser()
    return _INSTALLED if _INSTALLED.is_dir() else _SOURCE


def fixture_path(*parts: str) -> Path:
    """A file or folder inside `fixtures_dir`, e.g. ``fixture_path("sap")`` or ``fixture_path("policy.yaml")``."""
    return fixtures_dir().joinpath(*parts)
