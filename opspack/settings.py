"""Where opspack finds its files: fixtures, the policy and the connections, with env overrides.

The defaults point into the fixtures folder `connectors.fixture_files` finds (``OPSPACK_FIXTURES``,
the wheel's package data or the source tree's `fixtures/`), so `opspack` works from any working
directory and from an installed wheel; each path can be overridden by an environment variable for
a real deployment.
"""

from __future__ import annotations

import os
from pathlib import Path

from connectors.fixture_files import fixtures_dir

FIXTURES_DIR = fixtures_dir()
DEFAULT_POLICY_PATH = FIXTURES_DIR / "policy.yaml"
DEFAULT_CONNECTIONS_PATH = FIXTURES_DIR / "connections.yaml"


def policy_path() -> Path:
    """``OPSPACK_POLICY`` or the example policy."""
    return Path(os.environ.get("OPSPACK_POLICY", DEFAULT_POLICY_PATH))


def connections_path() -> Path:
    """``OPSPACK_CONNECTIONS`` or the connections that point every vendor at its mock."""
    return Path(os.environ.get("OPSPACK_CONNECTIONS", DEFAULT_CONNECTIONS_PATH))
