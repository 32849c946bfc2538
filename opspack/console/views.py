"""Server-rendered pages: one Jinja2 environment (autoescaped) and the filters the templates use."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape

from opspack.console.auth import ConsoleUser
from opspack.console.sessions import CSRF_FIELD


def time_left(expires_at: str | datetime, now: datetime) -> str:
    """``3 h 12 min left`` or ``expired 20 min ago``: how urgent a request is, at a glance."""
    moment = datetime.fromisoformat(expires_at) if isinstance(expires_at, str) else expires_at
    seconds = int((moment - now).total_seconds())
    minutes = abs(seconds) // 60
    text = (
        f"{minutes // 1440} d {minutes % 1440 // 60} h"
        if minutes >= 1440
        else f"{minutes // 60} h {minutes % 60} min"
    )
    text = text.removeprefix("0 h ")
    return f"{text} left" if seconds > 0 else f"expired {text} ago"


def pretty_json(value: Any) -> str:
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False, default=str)


_FIELD_KEYS = frozenset({"value", "confidence", "evidence"})


def is_field(value: Any) -> bool:
    """An extracted field as perception records it: a value with its confidence and evidence."""
    return isinstance(value, dict) and {"value", "confidence"} <= set(value) <= _FIELD_KEYS


def table_columns(rows: Any) -> list[str] | None:
    """Columns when `rows` is a list of flat-enough mappings worth showing as one table."""
    if not isinstance(rows, list) or not rows or not all(isinstance(row, dict) for row in rows):
        return None
    columns: list[str] = []
    for row in rows:
        columns.extend(key for key in row if key not in columns)
    return columns if len(columns) <= 12 else None


_environment = Environment(
    loader=PackageLoader("opspack.console", "templates"),
    autoescape=select_autoescape(["html", "j2"]),
    trim_blocks=True,
    lstrip_blocks=True,
)
_environment.filters["pretty_json"] = pretty_json
_environment.tests["field"] = is_field
_environment.globals["table_columns"] = table_columns
_environment.globals["CSRF_FIELD"] = CSRF_FIELD


def render(request: Request, template: str, *, status_code: int = 200, **context: Any) -> HTMLResponse:
    """Render `template` with the signed-in user (if any) and the request in the context."""
    user: ConsoleUser | None = getattr(request.state, "user", None)
    console = request.app.state.console
    page = _environment.get_template(template).render(
        request=request,
        user=user,
        csrf_token=user.csrf_token if user else "",
        auth_mode=console.settings.auth_mode,
        now=console.now(),
        time_left=time_left,
        **context,
    )
    return HTMLResponse(page, status_code=status_code)
