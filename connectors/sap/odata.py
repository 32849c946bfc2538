"""A thin OData v2 client for SAP Gateway services on top of `VendorHttp`.

It knows the verbose JSON envelope (``{"d":{"results":[...]}}``, ``__next`` paging), the Gateway
error body (``error.message.value``, ``error.code``), ``/Date(ms)/`` values, decimals as strings
and key predicates. Nothing here knows about purchase orders or invoices; `SapS4HanaAdapter` does.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import quote

import requests

from connectors.errors import BadResponseError
from connectors.http import VendorHttp
from connectors.pagination import follow_links, odata_v2_next

ODATA_ROOT = "/sap/opu/odata/sap"
_DATE = re.compile(r"^/Date\((-?\d+)(?:[+-]\d{4})?\)/$")
Entity = dict[str, Any]


def parse_gateway_error(response: requests.Response) -> tuple[str, str | None] | None:
    """``{"error":{"code","message":{"value"}}}`` -> (message, code); None for other bodies."""
    try:
        body = response.json()
    except ValueError:
        return None
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return None
    message = error.get("message")
    text = message.get("value") if isinstance(message, dict) else message
    return (str(text) if text else "SAP Gateway error"), (str(error["code"]) if error.get("code") else None)


def envelope_error(body: Any) -> str | None:
    """A 2xx whose body is a Gateway error envelope is a bad response, not data."""
    if isinstance(body, dict) and "error" in body and "d" not in body:
        parsed = body["error"].get("message") if isinstance(body["error"], dict) else None
        return str(parsed.get("value") if isinstance(parsed, dict) else parsed or body["error"])
    return None


def sap_date(day: date) -> str:
    return f"/Date({int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp() * 1000)})/"


def to_date(raw: Any) -> date | None:
    """``/Date(ms)/`` (or an ISO timestamp) -> the calendar date; None for empty values."""
    if raw in (None, ""):
        return None
    found = _DATE.match(str(raw))
    if found:
        return datetime.fromtimestamp(int(found.group(1)) / 1000, UTC).date()
    return datetime.fromisoformat(str(raw).rstrip("Z")).date()


def to_datetime(raw: Any) -> datetime | None:
    """``Edm.DateTime`` with its time of day (``/Date(ms)/`` or ISO), as UTC; None for empty values."""
    if raw in (None, ""):
        return None
    found = _DATE.match(str(raw))
    if found:
        return datetime.fromtimestamp(int(found.group(1)) / 1000, UTC)
    return datetime.fromisoformat(str(raw).rstrip("Z")).replace(tzinfo=UTC)


def to_decimal(raw: Any) -> Decimal:
    try:
        return Decimal(str(raw)) if raw not in (None, "") else Decimal("0")
    except InvalidOperation:
        raise ValueError(f"not an Edm.Decimal: {raw!r}") from None


def literal(value: str) -> str:
    """An OData string literal: quoted, inner quotes doubled."""
    return "'" + value.replace("'", "''") + "'"


def key_predicate(keys: Mapping[str, str]) -> str:
    if len(keys) == 1:
        inner = literal(next(iter(keys.values())))
    else:
        inner = ",".join(f"{name}={literal(value)}" for name, value in keys.items())
    return quote(f"({inner})", safe="()=,'")


def results(nav: Any) -> list[Entity]:
    """Children of an expanded to-many navigation property."""
    if isinstance(nav, dict) and isinstance(nav.get("results"), list):
        return list(nav["results"])
    return []


class ODataService:
    """One Gateway service root, e.g. ``API_PURCHASEORDER_PROCESS_SRV``."""

    def __init__(self, http: VendorHttp, name: str, *, sap_client: str | None = None) -> None:
        self.http = http
        self.name = name
        self.root = f"{ODATA_ROOT}/{name}"
        self.client_params = {"sap-client": sap_client} if sap_client else {}

    def _params(self, params: Mapping[str, Any] | None) -> dict[str, Any]:
        return {**self.client_params, **(params or {})}

    def entity_path(self, entity_set: str, keys: Mapping[str, str]) -> str:
        return f"{self.root}/{entity_set}{key_predicate(keys)}"

    def collection(self, entity_set: str, **options: str) -> Iterator[Entity]:
        """Every entity of the set matching the options (``filter="..."`` -> ``$filter``), all pages."""
        params = self._params({f"${k}": v for k, v in options.items() if v})
        yield from follow_links(
            self.http, f"{self.root}/{entity_set}", params, next_link=odata_v2_next, items_of=self._items
        )

    def entity(self, entity_set: str, keys: Mapping[str, str], **options: str) -> Entity:
        params = self._params({f"${k}": v for k, v in options.items() if v})
        body = self.http.get_json(self.entity_path(entity_set, keys), params)
        return self._single(body, f"GET {self.root}/{entity_set}")

    def create(self, entity_set: str, payload: Mapping[str, Any]) -> Entity:
        """POST (not retried: the caller reconciles an unknown outcome); answers 201 with the entity."""
        path = f"{self.root}/{entity_set}"
        body = self.http.send_json(
            "POST", path, json=dict(payload), params=self._params(None), ok_status=(201,)
        )
        return self._single(body, f"POST {path}")

    def patch(self, entity_set: str, keys: Mapping[str, str], changes: Mapping[str, Any]) -> None:
        """PATCH absolute values: safe to repeat, so retried like a read."""
        self.http.request(
            "PATCH",
            self.entity_path(entity_set, keys),
            json=dict(changes),
            params=self._params(None),
            idempotent=True,
            expect="empty",
            ok_status=(204,),
        )

    def function(
        self, name: str, parameters: Mapping[str, str], *, idempotent: bool, method: str = "POST"
    ) -> Entity:
        """Call a function import (``method`` as its metadata declares: POST, or GET for reads)."""
        params = self._params({k: literal(v) for k, v in parameters.items()})
        path = f"{self.root}/{name}"
        if method == "GET":
            body = self.http.get_json(path, params)
        else:
            body = self.http.send_json(method, path, params=params, idempotent=idempotent)
        return self._single(body, f"{method} {path}")

    def _items(self, body: Any) -> list[Entity]:
        found = (
            body.get("d", {}).get("results")
            if isinstance(body, dict) and isinstance(body.get("d"), dict)
            else None
        )
        if not isinstance(found, list):
            raise BadResponseError(
                "collection answer lacks d.results", vendor=self.http.vendor, endpoint=f"GET {self.root}"
            )
        return found

    def _single(self, body: Any, endpoint: str) -> Entity:
        entity = body.get("d") if isinstance(body, dict) else None
        if not isinstance(entity, dict):
            raise BadResponseError("entity answer lacks d", vendor=self.http.vendor, endpoint=endpoint)
        return entity
