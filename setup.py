"""The package list pyproject.toml cannot express on its own.

Every package of the six layers (found as pyproject's ``packages.find`` found them), plus
``opspack.fixtures``: the repository's top-level ``fixtures/`` folder, mapped there by
``[tool.setuptools.package-dir]`` and shipped whole as package data, so an installed wheel keeps
its default policy, connections and mock seed data (`connectors.fixture_files`).
"""

from setuptools import find_namespace_packages, setup

LAYERS = ["agents", "connectors", "mocks", "governance", "observability", "opspack"]

setup(
    packages=[
        *find_namespace_packages(include=[pattern for layer in LAYERS for pattern in (layer, f"{layer}.*")]),
        "opspack.fixtures",
        *(f"opspack.fixtures.{folder}" for folder in find_namespace_packages(where="fixtures")),
    ]
)
