"""Exceptions of the web console, sorted by what the caller does next.

ConsoleError
├── ConsoleConfigError   the settings or the users file are wrong: fix them (the app does not start)
├── NotAuthenticated     no valid session (or proxy header): 303 to the login page for a page, 401 otherwise
└── Forbidden            authenticated, but the role, the approver mapping or the CSRF token does not allow it: 403
"""

from __future__ import annotations

from opspack.errors import OpspackError


class ConsoleError(OpspackError):
    """Root of every console error."""


class ConsoleConfigError(ConsoleError, ValueError):
    """Bad settings or users file; the message names the file, the user and the problem."""


class NotAuthenticated(ConsoleError):
    """The request carries no valid session."""


class Forbidden(ConsoleError):
    """The authenticated user may not do this."""
