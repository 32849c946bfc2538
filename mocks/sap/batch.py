"""OData v2 ``$batch`` for the SAP mock: a multipart/mixed request of retrievals and changesets.

Each part of the batch is an ``application/http`` request (a retrieval) or a ``multipart/mixed``
changeset of writes. Every request runs against the same mock, with the outer request's
credentials, session cookie and CSRF token (SAP checks the token once, on the ``$batch`` POST
itself). A changeset is atomic, as on Gateway: its writes are answered together as a nested
multipart, or, when one fails, every change of the changeset is rolled back and the changeset is
answered by that one error response. The answer is ``202 Accepted`` with one part per request
part, in order. Multipart parsing uses the standard library's `email` package.
"""

from __future__ import annotations

import copy
import uuid
from email import policy
from email.message import MIMEPart
from email.parser import BytesParser
from http import HTTPStatus
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from mocks.base import MockHttpError, MockRequest, MockResponse, QueryParams, route

if TYPE_CHECKING:
    from mocks.sap.store import SapTables

__all__ = ["SapBatch"]

_ROOT = r"/sap/opu/odata/sap/(?P<service>\w+(?:;v=\d{4})?)"  # as in mocks.sap.mock
_MAX_PARTS = 1000


class SapBatch:
    """The ``$batch`` route, mixed into `SapMock` (which provides `tables` and the dispatch)."""

    tables: SapTables

    @route("POST", _ROOT + r"/\$batch")
    def batch(self, request: MockRequest, service: str) -> MockResponse:
        root = request.path.rsplit("/$batch", 1)[0]
        parts = _parts(request.headers.get("Content-Type", ""), request.body)
        boundary = f"batchresponse_{uuid.uuid4()}"
        out: list[bytes] = []
        for part in parts:
            if part.get_content_type() == "multipart/mixed":
                out.append(self._changeset(request, root, part))
            elif part.get_content_type() == "application/http":
                answer = self._one(request, root, part, in_changeset=False)
                out.append(_http_part(answer))
            else:
                raise MockHttpError(400, f"Batch part of type '{part.get_content_type()}' is not supported",
                                    code="/IWBEP/CM_MGW_RT/004")  # fmt: skip
        body = b"".join(b"--" + boundary.encode() + b"\r\n" + chunk for chunk in out)
        body += b"--" + boundary.encode() + b"--\r\n"
        return MockResponse(
            202, body, {"Content-Type": f"multipart/mixed; boundary={boundary}", "DataServiceVersion": "2.0"}
        )

    def _changeset(self, outer: MockRequest, root: str, changeset: MIMEPart) -> bytes:
        before = copy.deepcopy(self.tables.tables)
        answers: list[MockResponse] = []
        for part in changeset.iter_parts():
            answer = self._one(outer, root, part, in_changeset=True)
            if answer.status >= 400:
                self.tables.tables = before  # all or nothing
                return _http_part(answer)
            answers.append(answer)
        boundary = f"changesetresponse_{uuid.uuid4()}"
        inner = b"".join(b"--" + boundary.encode() + b"\r\n" + _http_part(a) for a in answers)
        inner += b"--" + boundary.encode() + b"--\r\n"
        return f"Content-Type: multipart/mixed; boundary={boundary}\r\n\r\n".encode() + inner + b"\r\n"

    def _one(self, outer: MockRequest, root: str, part: MIMEPart, *, in_changeset: bool) -> MockResponse:
        method, target, headers, body = _request_of(part)
        if in_changeset == (method in ("GET", "HEAD")):
            where = "inside a changeset" if in_changeset else "outside a changeset"
            raise MockHttpError(
                400, f"{method} requests are not allowed {where}", code="/IWBEP/CM_MGW_RT/004"
            )
        split = urlsplit(target)
        relative = unquote(split.path)  # as the server does for the outer request
        path = relative if relative.startswith("/") else f"{root}/{relative}"
        merged = {**dict(outer.headers.items()), **headers}
        inner = MockRequest(
            method=method, path=path, query=QueryParams(split.query), headers=merged, body=body
        )
        dispatch: Any = self
        matched = dispatch.match(method, path)
        if matched is None:
            return dispatch.error_response(404, f"Resource not found for segment '{relative}'",
                                           "/IWBEP/CM_MGW_RT/020")  # fmt: skip
        chosen, params = matched
        inner.path_params = params
        response: MockResponse = dispatch._run_handler(inner, chosen, params)
        return response


def _parts(content_type: str, body: bytes) -> list[MIMEPart]:
    if not content_type.lower().startswith("multipart/mixed") or "boundary=" not in content_type:
        raise MockHttpError(400, "Content-Type of a $batch must be multipart/mixed with a boundary",
                            code="/IWBEP/CM_MGW_RT/004")  # fmt: skip
    message = BytesParser(policy=policy.HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + body
    )
    parts = list(message.iter_parts()) if message.is_multipart() else []
    if not parts or len(parts) > _MAX_PARTS:
        raise MockHttpError(400, "The $batch request has no parts (or too many)", code="/IWBEP/CM_MGW_RT/004")
    return parts


def _request_of(part: MIMEPart) -> tuple[str, str, dict[str, str], bytes]:
    """Method, target, headers and body of an ``application/http`` part."""
    raw = part.get_payload(decode=True)
    if not isinstance(raw, bytes):
        raise MockHttpError(400, "A batch part carries no HTTP request", code="/IWBEP/CM_MGW_RT/004")
    head, _, body = raw.replace(b"\r\n", b"\n").partition(b"\n\n")
    lines = head.decode("utf-8").strip("\n").split("\n")
    request_line = lines[0].split(" ")
    if len(request_line) != 3 or not request_line[2].startswith("HTTP/"):
        raise MockHttpError(
            400, f"Malformed request line in batch part: '{lines[0]}'", code="/IWBEP/CM_MGW_RT/004"
        )
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.strip():
            headers[name.strip()] = value.strip()
    return request_line[0].upper(), request_line[1], headers, body.rstrip(b"\n")


def _http_part(response: MockResponse) -> bytes:
    body = response.body_bytes()
    status = f"HTTP/1.1 {response.status} {HTTPStatus(response.status).phrase}"
    headers = [f"{k}: {v}" for k, v in response.headers.items() if k.lower() in ("content-type", "location",
                                                                                    "dataserviceversion")]  # fmt: skip
    headers.append(f"Content-Length: {len(body)}")
    http = (status + "\r\n" + "\r\n".join(headers) + "\r\n\r\n").encode() + body
    return b"Content-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\n" + http + b"\r\n"
