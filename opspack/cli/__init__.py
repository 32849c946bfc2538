"""The `opspack` command line: the root app (`opspack.cli.root`) with one module per command group.

`app` is the Typer application and `main` the console-script entry point (``opspack =
"opspack.cli:main"``); shared options and the one error style live in `opspack.cli.options`.
"""

from opspack.cli.root import app, main

__all__ = ["app", "main"]
