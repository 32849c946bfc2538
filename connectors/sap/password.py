"""Rotating an SAP communication user's password.

The real mechanism on an ABAP system: the user calls the remote-enabled function module
``SUSR_USER_CHANGE_PASSWORD_RFC`` (BNAME, PASSWORD = current, NEW_PASSWORD) for itself, over HTTP
through the SOAP RFC service ``/sap/bc/soap/rfc``; afterwards only the new password logs on. A SOAP
fault names the RFC exception (e.g. PASSWORD_NOT_ALLOWED). S/4HANA Cloud offers no such API (an
administrator changes communication-user passwords in the Maintain Communication Users app).
"""

from __future__ import annotations

import secrets
import string
import xml.etree.ElementTree as ElementTree
from xml.sax.saxutils import escape

from requests.auth import AuthBase

from connectors.errors import BadResponseError, RejectedError
from connectors.http import VendorHttp

PATH = "/sap/bc/soap/rfc"
FUNCTION = "SUSR_USER_CHANGE_PASSWORD_RFC"
_ALPHABET = string.ascii_letters + string.digits + "!#%+-_"


def new_password(length: int = 32) -> str:
    """A random password with letters, digits and a symbol (fits SAP's 40-character limit)."""
    while True:
        candidate = "".join(secrets.choice(_ALPHABET) for _ in range(length))
        classes = [
            any(c in group for c in candidate)
            for group in (string.ascii_lowercase, string.ascii_uppercase, string.digits, "!#%+-_")
        ]
        if all(classes):
            return candidate


def change_password(http: VendorHttp, auth: AuthBase, user: str, old: str, new: str) -> None:
    """Call the RFC; raises RejectedError with the RFC exception when SAP refuses the change."""
    envelope = (
        '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
        'xmlns:urn="urn:sap-com:document:sap:rfc:functions"><soapenv:Header/><soapenv:Body>'
        f"<urn:{FUNCTION}><BNAME>{escape(user)}</BNAME><PASSWORD>{escape(old)}</PASSWORD>"
        f"<NEW_PASSWORD>{escape(new)}</NEW_PASSWORD></urn:{FUNCTION}></soapenv:Body></soapenv:Envelope>"
    )
    response = http.send(
        "POST",
        http.url_for(PATH),
        data=envelope.encode("utf-8"),
        headers={
            "Content-Type": "text/xml; charset=utf-8",
            "SOAPAction": f"urn:sap-com:document:sap:rfc:functions:{FUNCTION}",
        },
        auth=auth,
        idempotent=False,
        expect="xml",
        ok_status=(200, 500),
    )
    try:
        root = ElementTree.fromstring(response.content)
    except ElementTree.ParseError:
        raise BadResponseError(
            "password change answered with invalid XML", vendor=http.vendor, endpoint=f"POST {PATH}"
        ) from None
    fault = root.find(".//{http://schemas.xmlsoap.org/soap/envelope/}Fault")
    if fault is not None or response.status_code != 200:
        reason = fault.findtext("faultstring") if fault is not None else "SOAP fault"
        raise RejectedError(
            f"{FUNCTION} refused: {reason}",
            vendor=http.vendor,
            endpoint=f"POST {PATH}",
            status=response.status_code,
            code=reason,
        )
