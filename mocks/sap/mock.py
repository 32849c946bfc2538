"""`SapMock`: an S/4HANA system as its OData v2 clients see it.

Serves ``/sap/opu/odata/sap/<SERVICE>/`` for the services in `mocks.sap.schema`: service document,
``$metadata`` (EDMX XML, enough for pyodata), collections with ``$filter $select $expand $orderby
$top $skip $inlinecount $skiptoken`` and server-driven paging (``__next``), entities by key and by
navigation, deep-insert creates (both the ``{"results": [...]}`` and the plain-array shape), PATCH /
MERGE / PUT updates (PUT is treated as a merge, not a full replace) and the function imports
``Release`` (POST), ``GetPDF`` (GET, `mocks.sap.billing_documents`) and ``CancelSubscription``
(POST), and ``$batch`` with changesets (`mocks.sap.batch`). Not served: ETag / ``If-Match`` checks and Atom XML payloads. Every call needs
Basic auth of a communication user; every write needs the CSRF token fetched with
``X-CSRF-Token: Fetch`` *and* the session cookie it came with, else 403 ``x-csrf-token: Required``. Errors use the Gateway body
``{"error":{code,message:{lang,value},innererror}}``. Password rotation is served at
``/sap/bc/soap/rfc`` (see `mocks.sap.password`).
"""

from __future__ import annotations

import base64
import secrets
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Self
from urllib.parse import quote

from mocks.base import (
    MockHttpError,
    MockRequest,
    MockResponse,
    MockVendor,
    json_response,
    route,
    text_response,
)
from mocks.sap.batch import SapBatch
from mocks.sap.billing_documents import billing_document_pdf, cancel_subscription
from mocks.sap.documents import SapDocuments
from mocks.sap.gateway_error import gateway_error_body
from mocks.sap.odata_query import compile_filter, parse_key_predicate
from mocks.sap.password import PasswordChange
from mocks.sap.query_options import int_option, order_rows, select_option, unquote_literal
from mocks.sap.sales_documents import create_credit_memo_request
from mocks.sap.schema import RELEASE_RESULT, SERVICES, Service
from mocks.sap.schema_change_documents import CHANGE_DOCS
from mocks.sap.store import FIXTURES, SapTables, encode_entity, entity_set, load_fixtures, parse_expand
from mocks.sap.trade_seed import seed_request

_ROOT = r"/sap/opu/odata/sap/(?P<service>\w+(?:;v=\d{4})?)"
_SESSION_COOKIE = "SAP_SESSIONID_S4H_100"
_VERSIONS = {"0001", "0002"}
"""Service versions (``;v=0002`` in the service name) served; both map to the same entity model."""
_SAFE = {"GET", "HEAD"}
_QUERY_SAFE = "$',()/*"
_CREATORS = {"A_SupplierInvoice", "PaymentProposalSet", "A_BusinessPartnerBank", "A_CreditMemoRequest"}


class SapMock(MockVendor, SapBatch):
    """Stateful S/4HANA OData v2 mock; see the module docstring."""

    NAME = "sap_s4hana"
    PREFIXES = ("/sap/opu/odata", "/sap/bc/soap/rfc")
    MISSING_ROUTE_MESSAGE = "Resource not found for segment '{segment}'"

    def __init__(
        self,
        *,
        users: dict[str, str] | None = None,
        base_url: str = "https://sap.mock",
        page_size: int = 50,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__()
        self.clock = clock or (lambda: datetime.now(UTC))
        """The system time written into change documents."""
        self.users = dict(users if users is not None else {"OPSPACK_COMM": "Welcome-S4H-2024!"})
        """Communication users and their passwords (Basic auth)."""
        self.base_url = base_url.rstrip("/")
        self.page_size = page_size
        """Server-driven page size for collections read without ``$top``."""
        self.tables = SapTables()
        self.documents = SapDocuments(self.tables)
        self.sessions: dict[str, str] = {}
        """Session cookie value -> CSRF token issued for it."""
        self._service = "API_PURCHASEORDER_PROCESS_SRV"

    @classmethod
    def from_fixtures(cls, path: str | Path | None = None, **options: Any) -> Self:
        mock = cls(**options)
        load_fixtures(mock.tables, Path(path) if path is not None else FIXTURES)
        mock.documents = SapDocuments(mock.tables)
        return mock

    # -- inspection for tests -------------------------------------------------------------------
    def payment_count(self) -> int:
        """Invoices handed to payment: proposals in the Z service plus invoices released (``Release``)
        for the F110 payment run."""
        released = {
            d["ChangeDocObject"]
            for d in self.tables.rows(CHANGE_DOCS)
            if d["ChangeTransactionCode"] == "MRBR"
        }
        return len(self.tables.rows("PaymentProposalSet")) + len(released)

    def invoices_by_status(self) -> Counter[str]:
        """``posted`` / ``blocked`` counts of supplier invoices."""
        rows = self.tables.rows("A_SupplierInvoice")
        return Counter("blocked" if r["PaymentBlockingReason"] else "posted" for r in rows)

    def spend_categories(self) -> dict[str, str]:
        """``"<PO>/<item>"`` -> custom category field, for items that have one."""
        return {
            f"{r['PurchaseOrder']}/{r['PurchaseOrderItem']}": r["YY1_SpendCategory_PDI"]
            for r in self.tables.rows("A_PurchaseOrderItem")
            if r["YY1_SpendCategory_PDI"]
        }

    def expire_csrf_tokens(self) -> None:
        """Invalidate every issued token, as a session timeout would."""
        with self.lock:
            self.sessions.clear()

    # -- vendor hooks ---------------------------------------------------------------------------
    def authenticate(self, request: MockRequest) -> MockResponse | None:
        header = request.headers.get("Authorization", "")
        user = password = ""
        if header.startswith("Basic "):
            try:
                user, _, password = base64.b64decode(header[6:]).decode("utf-8").partition(":")
            except (ValueError, UnicodeDecodeError):
                user = ""
        if not user or self.users.get(user) != password:
            return text_response(
                "<html><body><h1>Logon failed</h1></body></html>",
                401,
                "text/html",
                {"WWW-Authenticate": 'Basic realm="SAP NetWeaver Application Server [S4H/100]"'},
            )
        if request.method in _SAFE or request.path.startswith("/sap/bc/soap/rfc"):
            return None
        session = _cookie(request, _SESSION_COOKIE)
        token = request.headers.get("X-CSRF-Token", "")
        if not session or not token or self.sessions.get(session) != token:
            return text_response("CSRF token validation failed", 403, headers={"x-csrf-token": "Required"})
        return None

    def error_response(self, status: int, message: str, code: str | None = None) -> MockResponse:
        return json_response(gateway_error_body(message, code, self._service), status)

    # -- routes: service root, metadata, CSRF ---------------------------------------------------
    def _service_for(self, request: MockRequest, name: str) -> Service:
        base, _, version = name.partition(";v=")
        service = SERVICES.get(name) or SERVICES.get(base)  # some services are catalogued with their version
        if service is None or (version and version not in _VERSIONS):
            raise MockHttpError(
                404,
                f"No service found for namespace '/SAP/', name '{base}', version '{version or '0001'}'",
                code="/IWFND/MED/170",
            )
        self._service = name if name in SERVICES else base
        return service

    def _csrf(self, request: MockRequest, response: MockResponse) -> MockResponse:
        if request.headers.get("X-CSRF-Token", "").lower() == "fetch":
            session = _cookie(request, _SESSION_COOKIE)
            if not session or session not in self.sessions:
                session = secrets.token_hex(16)
                self.sessions[session] = base64.b64encode(secrets.token_bytes(18)).decode()
                response.cookies[_SESSION_COOKIE] = session
                response.cookies["sap-usercontext"] = "sap-client=100"
            response.headers["x-csrf-token"] = self.sessions[session]
        return response

    @route("GET", _ROOT + r"/?")
    @route("HEAD", _ROOT + r"/?")
    def service_document(self, request: MockRequest, service: str) -> MockResponse:
        spec = self._service_for(request, service)
        body = {"d": {"EntitySets": list(spec.sets)}}
        return self._csrf(request, json_response(body))

    @route("GET", _ROOT + r"/\$metadata")
    def metadata(self, request: MockRequest, service: str) -> MockResponse:
        spec = self._service_for(request, service)
        return self._csrf(request, text_response(spec.metadata_xml(), content_type="application/xml"))

    # -- routes: reads --------------------------------------------------------------------------
    @route("GET", _ROOT + r"/(?P<entity>\w+)/\$count")
    def count(self, request: MockRequest, service: str, entity: str) -> MockResponse:
        spec = entity_set(self._service_for(request, service), entity)
        rows = self.tables.rows(entity)
        if request.query.get("$filter"):
            predicate = compile_filter(request.query["$filter"], spec.properties)
            rows = [row for row in rows if predicate(row)]
        return self._csrf(request, text_response(str(len(rows)), content_type="text/plain"))

    @route("GET", _ROOT + r"/(?P<entity>\w+)")
    def collection(self, request: MockRequest, service: str, entity: str) -> MockResponse:
        spec_service = self._service_for(request, service)
        if entity in spec_service.functions:
            return self._function(request, spec_service, entity)
        spec = entity_set(spec_service, entity)
        rows = self.tables.rows(entity)
        query = request.query
        if query.get("$filter"):
            predicate = compile_filter(query["$filter"], spec.properties)
            rows = [row for row in rows if predicate(row)]
        rows = order_rows(rows, query.get("$orderby", ""), spec.properties)
        total = len(rows)
        skip = int_option(query, "$skip") + int_option(query, "$skiptoken")
        top = int_option(query, "$top", None)
        page = rows[skip:]
        next_link = None
        if top is not None:
            page = page[:top]
        elif len(page) > self.page_size:
            page = page[: self.page_size]
            options = [
                f"{k}={quote(v, safe=_QUERY_SAFE)}"
                for k in query
                if k not in ("$skiptoken", "$skip")
                for v in query.getlist(k)
            ]
            options.append(f"$skiptoken={skip + self.page_size}")
            next_link = f"{self._base(request)}/sap/opu/odata/sap/{service}/{entity}?{'&'.join(options)}"
        expand = parse_expand(query.get("$expand", ""), entity, self.tables)
        select = select_option(query)
        body: dict[str, Any] = {
            "results": [
                encode_entity(self.tables, self._base(request), entity, r, expand, select) for r in page
            ]
        }
        if query.get("$inlinecount") == "allpages":
            body["__count"] = str(total)
        if next_link:
            body["__next"] = next_link
        return self._csrf(request, json_response({"d": body}))

    @route("GET", _ROOT + r"/(?P<entity>\w+)(?P<key>\(.*\))(?:/(?P<nav>\w+))?")
    def entity(
        self, request: MockRequest, service: str, entity: str, key: str, nav: str | None = None
    ) -> MockResponse:
        spec = entity_set(self._service_for(request, service), entity)
        row = self.tables.get(entity, parse_key_predicate(key, spec.keys))
        expand = parse_expand(request.query.get("$expand", ""), entity, self.tables)
        base = self._base(request)
        if nav is None:
            return json_response(
                {"d": encode_entity(self.tables, base, entity, row, expand, select_option(request.query))}
            )
        if nav not in spec.navigations:
            raise MockHttpError(404, f"Resource not found for segment '{nav}'", code="/IWBEP/CM_MGW_RT/021")
        target = spec.navigations[nav]
        children = [
            encode_entity(self.tables, base, target.target, c, {})
            for c in self.tables.related(entity, row, nav)
        ]
        if target.many:
            return json_response({"d": {"results": children}})
        if not children:
            raise MockHttpError(404, f"Resource not found for segment '{nav}'", code="/IWBEP/CM_MGW_RT/021")
        return json_response({"d": children[0]})

    # -- routes: writes -------------------------------------------------------------------------
    @route("POST", _ROOT + r"/(?P<entity>\w+)")
    def create(self, request: MockRequest, service: str, entity: str) -> MockResponse:
        spec_service = self._service_for(request, service)
        if entity in spec_service.functions:
            return self._function(request, spec_service, entity)
        entity_set(spec_service, entity)
        body = request.json()
        if not isinstance(body, dict):
            raise MockHttpError(400, "The request body must be a JSON object", code="/IWBEP/CM_MGW_RT/005")
        if entity not in _CREATORS:
            raise MockHttpError(
                405, f"Create of entity set {entity} is not supported", code="/IWBEP/CM_MGW_RT/050"
            )
        if entity == "A_SupplierInvoice":
            row = self.documents.create_supplier_invoice(body, user=_user(request), at=self.clock())
            expand: dict[str, Any] = {"to_SuplrInvcItemPurOrdRef": {}, "to_SupplierInvoiceTax": {}}
            message = f"Document no. {row['SupplierInvoice']} created"
        elif entity == "A_CreditMemoRequest":
            row, expand = create_credit_memo_request(self.tables, body), {"to_Item": {}}
            message = f"Credit Memo Request {row['CreditMemoRequest']} has been saved"
        elif entity == "PaymentProposalSet":
            row, expand = self.documents.create_payment_proposal(body), {}
            message = f"Payment proposal {row['PaymentProposal']} created"
        else:
            row, expand = self.documents.create_bank(body), {}
            message = f"Bank details {row['BankIdentification']} created"
        encoded = encode_entity(self.tables, self._base(request), entity, row, expand)
        headers = {
            "Location": encoded["__metadata"]["uri"],
            "sap-message": f'{{"code":"M8/060","message":"{message}","severity":"success","target":""}}',
        }
        return json_response({"d": encoded}, 201, headers)

    def _function(self, request: MockRequest, service: Service, name: str) -> MockResponse:
        function = service.functions[name]
        if request.method != function.method:
            raise MockHttpError(
                405,
                f"Function import {name} must be called with {function.method}",
                code="/IWBEP/CM_MGW_RT/050",
            )
        args = {}
        for parameter in function.parameters:
            value = request.query.get(parameter)
            if value is None:
                raise MockHttpError(400, f"Parameter '{parameter}' is missing", code="/IWBEP/CM_MGW_RT/009")
            args[parameter] = unquote_literal(value)
        if name == "GetPDF":
            result = billing_document_pdf(self.tables, args["BillingDocument"])
            return self._csrf(request, json_response({"d": {name: result}}))
        if name == "Release":
            keys = {k: args[k] for k in ("SupplierInvoice", "FiscalYear")}
            self.documents.release(keys, user=_user(request), at=self.clock())
            kind = f"{service.name}.{RELEASE_RESULT.name}"
            return json_response({"d": {name: {"__metadata": {"type": kind}, "Success": True}}})
        row = cancel_subscription(self.tables, args["Subscription"], args["Reason"])
        assert function.return_set is not None
        return json_response(
            {"d": encode_entity(self.tables, self._base(request), function.return_set, row, {})}
        )

    @route("POST", r"/sap/opu/odata/_opspack/trade")
    def seed(self, request: MockRequest) -> MockResponse:
        """Mock-only admin hook, not an S/4 API: `mocks.sap.trade_seed.seed_request`."""
        return json_response(seed_request(self.tables, request.json()), 201)

    @route("PATCH", _ROOT + r"/(?P<entity>\w+)(?P<key>\(.*\))")
    @route("MERGE", _ROOT + r"/(?P<entity>\w+)(?P<key>\(.*\))")
    @route("PUT", _ROOT + r"/(?P<entity>\w+)(?P<key>\(.*\))")
    def update(self, request: MockRequest, service: str, entity: str, key: str) -> MockResponse:
        spec = entity_set(self._service_for(request, service), entity)
        row = self.tables.get(entity, parse_key_predicate(key, spec.keys))
        body = request.json()
        if not isinstance(body, dict):
            raise MockHttpError(400, "The request body must be a JSON object", code="/IWBEP/CM_MGW_RT/005")
        self.documents.update(entity, row, body)
        return MockResponse(204, b"", {})

    @route("POST", r"/sap/bc/soap/rfc")
    def soap_rfc(self, request: MockRequest) -> MockResponse:
        return PasswordChange(self.users).handle(request)

    # -- helpers --------------------------------------------------------------------------------
    def _base(self, request: MockRequest) -> str:
        return request.origin(self.base_url)


def _user(request: MockRequest) -> str:
    """The Basic-auth user of an authenticated request (`authenticate` has checked it)."""
    header = request.headers.get("Authorization", "")
    return (
        base64.b64decode(header[6:]).decode("utf-8").partition(":")[0] if header.startswith("Basic ") else ""
    )


def _cookie(request: MockRequest, name: str) -> str | None:
    for part in request.headers.get("Cookie", "").split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return None
