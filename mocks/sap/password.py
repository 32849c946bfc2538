"""Password change of a communication user, as the SAP mock serves it.

On an ABAP system a user changes its own password with the remote-enabled function module
``SUSR_USER_CHANGE_PASSWORD_RFC`` (BNAME, PASSWORD = current, NEW_PASSWORD), reachable over HTTP
through the SOAP RFC service ``/sap/bc/soap/rfc``. The mock accepts that SOAP envelope from the
authenticated user for itself only, enforces a small password policy, and from then on honours the
new password and refuses the old one. (In S/4HANA Cloud an administrator does this in the
Maintain Communication Users app; there is no API, so rotation there stays a manual step.)
"""

from __future__ import annotations

import base64
import re
import xml.etree.ElementTree as ElementTree

from mocks.base import MockRequest, MockResponse, text_response

FUNCTION = "SUSR_USER_CHANGE_PASSWORD_RFC"
_RFC_NS = "urn:sap-com:document:sap:rfc:functions"
_ENVELOPE = (
    '<soap-env:Envelope xmlns:soap-env="http://schemas.xmlsoap.org/soap/envelope/">'
    "<soap-env:Header/><soap-env:Body>{body}</soap-env:Body></soap-env:Envelope>"
)


def _fault(exception: str, status: int = 500) -> MockResponse:
    body = f"<soap-env:Fault><faultcode>soap-env:Client</faultcode><faultstring>{exception}</faultstring></soap-env:Fault>"
    return text_response(_ENVELOPE.format(body=body), status, "text/xml")


class PasswordChange:
    """Handles one ``SUSR_USER_CHANGE_PASSWORD_RFC`` call against the mock's user table."""

    def __init__(self, users: dict[str, str]) -> None:
        self.users = users

    def handle(self, request: MockRequest) -> MockResponse:
        try:
            root = ElementTree.fromstring(request.body)
        except ElementTree.ParseError:
            return _fault("Invalid SOAP envelope")
        call = root.find(f".//{{{_RFC_NS}}}{FUNCTION}")
        if call is None:
            return _fault("Function module not supported by this mock (only SUSR_USER_CHANGE_PASSWORD_RFC)")
        fields = {child.tag.split("}")[-1]: (child.text or "") for child in call}
        caller = (
            base64.b64decode(request.headers.get("Authorization", "Basic ")[6:]).decode().partition(":")[0]
        )
        user, old, new = fields.get("BNAME", ""), fields.get("PASSWORD", ""), fields.get("NEW_PASSWORD", "")
        if user != caller:
            return _fault("CHANGE_NOT_ALLOWED")
        if self.users.get(user) != old:
            return _fault("PASSWORD_NOT_ALLOWED")
        if new == old or len(new) < 12 or not (re.search(r"[A-Za-z]", new) and re.search(r"\d", new)):
            return _fault("PASSWORD_NOT_ALLOWED")
        self.users[user] = new
        body = f'<urn:{FUNCTION}.Response xmlns:urn="{_RFC_NS}"/>'
        return text_response(_ENVELOPE.format(body=body), 200, "text/xml")
