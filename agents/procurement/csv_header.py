"""Header checks shared by every spend CSV reader (input lines and labelled history)."""

from __future__ import annotations

from pathlib import Path

from agents.procurement.errors import SpendInputError


def check_unique_columns(path: Path, header: list[str]) -> None:
    """Refuse a header that names a column twice: which of the two values is meant is unknowable."""
    positions: dict[str, list[int]] = {}
    for index, name in enumerate(header, start=1):
        positions.setdefault(name, []).append(index)
    repeated = {name: at for name, at in positions.items() if len(at) > 1}
    if repeated:
        described = "; ".join(
            f"{name or '(blank)'!r} in columns {', '.join(map(str, at))}" for name, at in repeated.items()
        )
        raise SpendInputError(f"{path}: duplicated column name(s): {described}; rename or drop the repeats")
