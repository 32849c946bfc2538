"""Okta user lifecycle operations beyond reset and unlock, mixed into `OktaMock`.

``POST /api/v1/users/{id}/lifecycle/{deactivate|suspend|unsuspend|activate|reactivate}`` and
``.../expire_password`` with the status rules Okta enforces (E0000001 / E0000038 on a status the
operation does not apply to). Deactivate answers 200 ``{}`` (``sendEmail`` accepted); suspend and
unsuspend 200 ``{}``; expire_password returns the user with ``PASSWORD_EXPIRED`` (or, with
``tempPassword=true``, ``{"tempPassword": ...}``); activate returns an activation link/token.
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any

from mocks.base import MockHttpError, MockRequest, route

if TYPE_CHECKING:
    from mocks.okta.state import OktaOrg

_USER = r"/api/v1/users/(?P<uid>[^/]+)/lifecycle"
_NOT_ALLOWED = "This operation is not allowed in the user's current status."

# operation -> (statuses it applies to, status afterwards)
_TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "deactivate": (
        frozenset(
            {"STAGED", "PROVISIONED", "ACTIVE", "RECOVERY", "LOCKED_OUT", "PASSWORD_EXPIRED", "SUSPENDED"}
        ),
        "DEPROVISIONED",
    ),
    "suspend": (frozenset({"ACTIVE"}), "SUSPENDED"),
    "unsuspend": (frozenset({"SUSPENDED"}), "ACTIVE"),
    "activate": (frozenset({"STAGED", "DEPROVISIONED"}), "PROVISIONED"),
    "reactivate": (frozenset({"PROVISIONED"}), "PROVISIONED"),
}


class OktaLifecycleRoutes:
    """Needs ``org``, ``org_url``, ``_find_user`` and ``_user`` from `OktaMock`."""

    org: OktaOrg
    org_url: str | None

    if TYPE_CHECKING:

        def _find_user(self, key: str, *, by_id_only: bool = False) -> dict[str, Any]: ...

        def _user(self, user: dict[str, Any]) -> dict[str, Any]: ...

    @route("POST", _USER + r"/(?P<operation>deactivate|suspend|unsuspend|activate|reactivate)")
    def lifecycle(self, request: MockRequest, uid: str, operation: str) -> dict[str, Any]:
        user = self._find_user(uid)
        allowed, after = _TRANSITIONS[operation]
        if user["status"] not in allowed:
            code = "E0000001" if operation in ("activate", "reactivate") else "E0000038"
            raise MockHttpError(403 if code == "E0000038" else 400, _NOT_ALLOWED, code=code)
        self.org.set_status(user["id"], after)
        if (
            operation in ("activate", "reactivate")
            and request.query.get("sendEmail", "true").lower() == "false"
        ):
            token = secrets.token_urlsafe(16)
            return {"activationUrl": f"{self.org_url or 'https://acme.okta.mock'}/welcome/{token}",
                    "activationToken": token}  # fmt: skip
        return {}

    @route("POST", _USER + r"/expire_password")
    def expire_password(self, request: MockRequest, uid: str) -> dict[str, Any]:
        user = self._find_user(uid)
        if user["status"] not in ("ACTIVE", "RECOVERY", "PASSWORD_EXPIRED", "LOCKED_OUT"):
            raise MockHttpError(403, _NOT_ALLOWED, code="E0000038")
        self.org.set_status(user["id"], "PASSWORD_EXPIRED")
        if request.query.get("tempPassword", "false").lower() == "true":
            return {"tempPassword": secrets.token_urlsafe(9)}
        return self._user(self.org.users[user["id"]])
