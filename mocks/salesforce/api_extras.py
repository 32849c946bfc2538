"""Salesforce REST resources beyond CRUD and SOQL, mixed into `SalesforceMock`.

- ``GET /sobjects`` (describeGlobal), ``GET /sobjects/{name}`` (basic info), ``GET /sobjects/{name}/describe``.
- ``GET /search?q=<SOSL>`` (`mocks.salesforce.sosl`).
- ``POST /composite``: up to 25 sub-requests run in order against the same mock, each answered as
  ``{body, httpHeaders, httpStatusCode, referenceId}``; ``@{ref.field}`` in a later URL or body is
  the earlier answer's value; with ``allOrNone`` a failure rolls every change back and the other
  sub-requests answer ``PROCESSING_HALTED``; without it, only sub-requests referring to a failed
  one are halted.
"""

from __future__ import annotations

import copy
import json
import re
from typing import TYPE_CHECKING, Any

from mocks.base import MockHttpError, MockRequest, QueryParams, json_response, route
from mocks.salesforce.describe import describe_global, describe_sobject, sobject_summary
from mocks.salesforce.errors import OrgError, org_errors
from mocks.salesforce.sosl import search

if TYPE_CHECKING:
    from mocks.base import MockResponse
    from mocks.salesforce.org import Org

_V = r"/services/data/v(?P<version>\d+\.\d)"
_REFERENCE = re.compile(r"@\{(?P<ref>[A-Za-z0-9_]+)\.(?P<path>[A-Za-z0-9_.\[\]]+)\}")
_MAX_SUBREQUESTS = 25


class _HaltedError(Exception):
    pass


class SalesforceApiExtras:
    """Describe, SOSL and composite routes (the mixin expects `org` and the `MockVendor` dispatch)."""

    org: Org

    @route("GET", _V + r"/sobjects/?")
    def describe_global(self, request: MockRequest, version: str) -> Any:
        return describe_global(version)

    @route("GET", _V + r"/sobjects/(?P<sobject>\w+)/describe/?")
    @org_errors
    def describe(self, request: MockRequest, version: str, sobject: str) -> Any:
        kind = self.org.type_of(sobject)
        return describe_sobject(kind, version, self.org.picklists, self.org.external_ids)

    @route("GET", _V + r"/sobjects/(?P<sobject>\w+)/?")
    @org_errors
    def sobject_info(self, request: MockRequest, version: str, sobject: str) -> Any:
        kind = self.org.type_of(sobject)
        return {"objectDescribe": sobject_summary(kind, version), "recentItems": []}

    @route("GET", _V + r"/search/?")
    @org_errors
    def sosl_search(self, request: MockRequest, version: str) -> Any:
        statement = request.query.get("q")
        if not statement:
            raise OrgError(400, "MALFORMED_SEARCH", "A search string is required (q=)")
        return search(self.org, statement, now=self.org.now())

    @route("POST", _V + r"/composite/?")
    def composite(self, request: MockRequest, version: str) -> Any:
        payload = request.json()
        subrequests = payload.get("compositeRequest") if isinstance(payload, dict) else None
        if not isinstance(subrequests, list) or not subrequests:
            raise MockHttpError(400, "compositeRequest must be a non-empty array", code="JSON_PARSER_ERROR")
        if len(subrequests) > _MAX_SUBREQUESTS:
            raise MockHttpError(
                400, f"Limit of {_MAX_SUBREQUESTS} subrequests exceeded", code="LIMIT_EXCEEDED"
            )
        all_or_none = bool(payload.get("allOrNone", False))
        before = copy.deepcopy(self.org.records)
        answers: dict[str, Any] = {}
        results: list[dict[str, Any]] = []
        failed = False
        for sub in subrequests:
            reference = str(sub.get("referenceId", ""))
            try:
                result = self._subrequest(request, sub, answers)
            except _HaltedError as halted:
                result = _halted(str(halted), reference)
            results.append(result)
            if result["httpStatusCode"] < 300:
                answers[reference] = result["body"]
            else:
                failed = True
        if all_or_none and failed:
            self.org.records = before
            reason = "The transaction was rolled back since another operation in the same transaction failed."
            results = [
                r if r["httpStatusCode"] >= 300 else _halted(reason, r["referenceId"]) for r in results
            ]
        return json_response({"compositeResponse": results})

    def _subrequest(self, outer: MockRequest, sub: dict[str, Any], answers: dict[str, Any]) -> dict[str, Any]:
        method, url = str(sub.get("method", "")).upper(), str(sub.get("url", ""))
        reference = str(sub.get("referenceId", ""))
        if not method or not url.startswith("/services/data/") or not reference:
            raise MockHttpError(
                400, "each subrequest needs method, url and referenceId", code="JSON_PARSER_ERROR"
            )
        url = _substitute(url, answers)
        body = sub.get("body")
        raw = _substitute(json.dumps(body), answers).encode() if body is not None else b""
        path, _, query = url.partition("?")
        inner = MockRequest(
            method=method, path=path, query=QueryParams(query), headers=outer.headers, body=raw
        )
        dispatch: Any = self
        matched = dispatch.match(method, path)
        if matched is None:
            body_out: Any = [{"errorCode": "NOT_FOUND", "message": "The requested resource does not exist"}]
            return {"body": body_out, "httpHeaders": {}, "httpStatusCode": 404, "referenceId": reference}
        chosen, params = matched
        inner.path_params = params
        response: MockResponse = dispatch._run_handler(inner, chosen, params)
        data = response.body_bytes()
        headers = {}
        parsed = json.loads(data) if data else None
        if response.status == 201 and isinstance(parsed, dict) and "id" in parsed:
            sobject = path.rstrip("/").rsplit("/", 1)[-1]
            headers["Location"] = f"{path.rstrip('/').rsplit('/', 1)[0]}/{sobject}/{parsed['id']}"
        return {
            "body": parsed,
            "httpHeaders": headers,
            "httpStatusCode": response.status,
            "referenceId": reference,
        }


def _substitute(text: str, answers: dict[str, Any]) -> str:
    def value(found: re.Match[str]) -> str:
        ref, path = found.group("ref"), found.group("path")
        if ref not in answers:
            raise _HaltedError(f"Invalid reference specified. No value for {ref}.{path} found in {ref}. "
                               f"Provided referenceId ({ref}) is not valid or an earlier request failed.")  # fmt: skip
        current: Any = answers[ref]
        for part in re.findall(r"[^.\[\]]+", path):
            if isinstance(current, list) and part.isdigit() and int(part) < len(current):
                current = current[int(part)]
            elif isinstance(current, dict) and part in current:
                current = current[part]
            else:
                raise _HaltedError(f"Invalid reference specified. No value for {ref}.{path} found in {ref}.")
        return str(current)

    return _REFERENCE.sub(value, text)


def _halted(message: str, reference: str) -> dict[str, Any]:
    return {
        "body": [{"errorCode": "PROCESSING_HALTED", "message": message}],
        "httpHeaders": {}, "httpStatusCode": 400, "referenceId": reference,
    }  # fmt: skip
