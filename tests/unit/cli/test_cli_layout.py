"""The shell's layout holds: one options module, one error wrapper, and a demo that shares the
commands' wiring without importing the CLI (the CLI imports the demo only inside `opspack demo`)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import opspack

OPSPACK = Path(opspack.__file__).parent
SHARED_OPTIONS = ("--json", "--policy", "--connections", "--database", "--db", "--debug", "--log-level")


def _modules(folder: str) -> list[Path]:
    return sorted((OPSPACK / folder).rglob("*.py"))


def _imports(path: Path) -> list[tuple[str, ast.AST]]:
    """(imported module, the node) for every import in `path`, with the function it sits in."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[tuple[str, ast.AST]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.append((node.module, node))
        elif isinstance(node, ast.Import):
            found += [(alias.name, node) for alias in node.names]
    return found


def _enclosing_functions(path: Path) -> dict[int, str]:
    """Line number → name of the function whose body holds it."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    lines: dict[int, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef):
            for line in range(node.lineno, (node.end_lineno or node.lineno) + 1):
                lines[line] = node.name
    return lines


def test_the_demo_and_the_shared_runs_never_import_the_cli() -> None:
    for folder in ("demo", "agent_runs"):
        for path in _modules(folder):
            wrong = [
                name for name, _ in _imports(path) if name == "opspack.cli" or name.startswith("opspack.cli.")
            ]
            assert wrong == [], f"{path.relative_to(OPSPACK)} imports {wrong}"


def test_the_cli_imports_the_demo_only_in_the_demo_command() -> None:
    for path in _modules("cli"):
        inside = _enclosing_functions(path)
        for name, node in _imports(path):
            if name == "opspack.demo" or name.startswith("opspack.demo."):
                assert (path.name, inside.get(getattr(node, "lineno", 0))) == ("root.py", "demo"), path.name


def test_shared_options_are_declared_once_in_the_options_module() -> None:
    declared = re.compile(r'typer\.Option\(\s*"(--[a-z-]+)"')
    for path in _modules("cli"):
        if path.name == "options.py":
            continue
        again = sorted(set(declared.findall(path.read_text(encoding="utf-8"))) & set(SHARED_OPTIONS))
        assert again == [], f"{path.name} declares {again} again: use opspack.cli.options"
    options = (OPSPACK / "cli" / "options.py").read_text(encoding="utf-8")
    assert set(declared.findall(options)) >= set(SHARED_OPTIONS)


def test_error_lines_are_written_in_one_place() -> None:
    for path in [*_modules("cli"), *_modules("demo"), *_modules("agent_runs")]:
        if path.name == "errors.py":
            continue
        text = path.read_text(encoding="utf-8")
        assert "opspack: error" not in text, f"{path.name} writes its own error line: use opspack.cli.errors"
        assert "def one_line_errors" not in text and "def _one_line_errors" not in text, path.name


def test_no_cli_or_demo_module_is_over_400_lines() -> None:
    for path in [*_modules("cli"), *_modules("demo"), *_modules("agent_runs")]:
        lines = len(path.read_text(encoding="utf-8").splitlines())
        assert lines <= 400, f"{path.relative_to(OPSPACK)} has {lines} lines"


def test_the_console_takes_database_with_db_as_a_hidden_alias() -> None:
    from typer.main import get_command

    from opspack.cli import app

    console = get_command(app).commands["console"]  # type: ignore[attr-defined]
    for command in (console, console.commands["add-user"], console.commands["rotate-password"]):
        options = {opt: param for param in command.params for opt in getattr(param, "opts", ())}
        assert not options["--database"].hidden and options["--db"].hidden, command.name
