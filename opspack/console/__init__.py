"""The operations web console: approval inbox, transaction timelines, dashboards, kill switches.

``opspack console`` serves it (docs/CONSOLE.md); `opspack.console.app.create_app` builds it for
tests and embedding. Nothing is imported here, so the CLI does not load FastAPI until it serves.
"""
