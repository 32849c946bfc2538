"""`create_app(settings)`: the operations web console as a FastAPI application.

Server-rendered pages (Jinja2) and one stylesheet; no JavaScript, no front-end build, nothing
from a CDN. Security is layered: every page needs a session (or a trusted proxy's header), every
route declares the role it needs, every POST carries the session's CSRF token, cookies are
HttpOnly + SameSite=Strict + Secure, and responses forbid framing, sniffing and foreign content.
The governance rules -- maker != checker, approver entitlement, segregation of duties, re-gating
-- are the Governor's, not the console's.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from governance.errors import NotFoundError
from opspack.console import routes_auth, routes_dashboard, routes_inbox, routes_labels, routes_ledger
from opspack.console.cookies import set_cookie
from opspack.console.errors import ConsoleConfigError, Forbidden, NotAuthenticated
from opspack.console.services import ConsoleServices
from opspack.console.sessions import SESSION_COOKIE
from opspack.console.settings import ConsoleSettings
from opspack.console.views import render

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def _problem(request: Request, status_code: int, title: str, message: str) -> Response:
    return render(request, "problem.html.j2", status_code=status_code, title=title, message=message)


def _install_handlers(app: FastAPI) -> None:
    @app.exception_handler(NotAuthenticated)
    async def not_authenticated(request: Request, exc: NotAuthenticated) -> Response:
        header_mode = request.app.state.console.settings.auth_mode == "header"
        if request.method in ("GET", "HEAD") and not header_mode:
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(f"/login?next={quote(target, safe='/')}", status_code=303)
        return _problem(request, 401, "Not signed in", str(exc))

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, exc: Forbidden) -> Response:
        return _problem(request, 403, "Not allowed", str(exc))

    @app.exception_handler(NotFoundError)
    async def not_found(request: Request, exc: NotFoundError) -> Response:
        return _problem(request, 404, "Not found", str(exc))

    @app.exception_handler(ConsoleConfigError)
    async def misconfigured(request: Request, exc: ConsoleConfigError) -> Response:
        return _problem(request, 503, "Console configuration problem", str(exc))


def create_app(settings: ConsoleSettings) -> FastAPI:
    """The console app; raises `ConsoleConfigError` when the users file, policy or key are unusable."""
    console = ConsoleServices(settings)
    app = FastAPI(title="opspack console", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.console = console

    @app.middleware("http")
    async def security(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        issued = getattr(request.state, "issue_session", None)
        if issued is not None:  # header login: a session for the CSRF token to bind to
            set_cookie(response, settings, SESSION_COOKIE, issued, console.signer.max_age_seconds)
        return response

    @app.get("/", include_in_schema=False)
    def home() -> Response:
        return RedirectResponse("/inbox", status_code=303)

    @app.get("/healthz", include_in_schema=False)
    def health() -> dict[str, str]:
        return {"status": "ok"}

    _install_handlers(app)
    for module in (routes_auth, routes_inbox, routes_labels, routes_ledger, routes_dashboard):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(packages=[("opspack.console", "static")]), name="static")
    return app
