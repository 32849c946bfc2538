"""Catalog requests on ServiceNow: an ``sc_request`` keyed by ``correlation_id`` plus its item line.

The request is inserted through the Table API with the business key in the same insert, so a
retry can always find it (``order_now`` cannot set ``correlation_id`` atomically). The item line
(``sc_req_item``) is check-then-create, which makes placing a request idempotent per business key.
Catalog items come from the Service Catalog API and are cached for the adapter's life.
"""

from __future__ import annotations

import threading
from typing import Any

from connectors.errors import BadResponseError, NotFoundError, OutcomeUnknownError, RetriableError
from connectors.itsm.models import CatalogItem, CatalogItemKind, CatalogRequest, NewCatalogRequest
from connectors.servicenow import wire
from connectors.servicenow.table_api import TableApi, literal

ITEM_LINE_ATTEMPTS = 6
"""How often the item line of a new request is checked-then-created before giving up."""
ITEMS_PATH = "/api/sn_sc/servicecatalog/items"


class ServiceCatalog:
    """Catalog items and requests over one `TableApi`."""

    def __init__(self, table: TableApi) -> None:
        self.table = table
        self.vendor = table.http.vendor
        self._items: dict[str, tuple[str, CatalogItem]] | None = None
        self._lock = threading.Lock()

    def items(self) -> dict[str, tuple[str, CatalogItem]]:
        """Lower-cased item name → (item sys_id, item)."""
        with self._lock:
            if self._items is not None:
                return self._items
        body = self.table.http.get_json(ITEMS_PATH, params={"sysparm_limit": "1000"})
        result = body.get("result") if isinstance(body, dict) else None
        if not isinstance(result, list):
            raise BadResponseError(
                "catalog answer has no list 'result'", vendor=self.vendor, endpoint=f"GET {ITEMS_PATH}"
            )
        items: dict[str, tuple[str, CatalogItem]] = {}
        for entry in result:
            category = entry.get("category") or {}
            title = str(category.get("title", "")) if isinstance(category, dict) else ""
            item = CatalogItem(
                name=str(entry.get("name", "")),
                kind=wire.CATEGORY_KIND.get(title.lower(), CatalogItemKind.OTHER),
                description=str(entry.get("short_description", "")),
            )
            items[item.name.lower()] = (str(entry.get("sys_id", "")), item)
        with self._lock:
            self._items = items
        return items

    def item(self, name: str) -> tuple[str, CatalogItem]:
        """(sys_id, item) of the item called `name`; `NotFoundError` if the catalog has none."""
        found = self.items().get(name.strip().lower())
        if found is None:
            raise NotFoundError(
                f"no catalog item named {name!r}", vendor=self.vendor, endpoint=f"GET {ITEMS_PATH}"
            )
        return found

    def place(self, request: NewCatalogRequest, user_id: str) -> CatalogRequest:
        item_id, item = self.item(request.item)
        row = self.table.first(
            "sc_request", f"correlation_id={literal(request.business_key)}", wire.REQUEST_FIELDS
        )
        if row is None:
            lines = [request.description] if request.description else []
            lines += [f"{k}: {v}" for k, v in sorted(request.variables.items())]
            row = self.table.create(
                "sc_request",
                {"requested_for": user_id, "short_description": request.short_description,
                 "description": "\n".join(lines), "correlation_id": request.business_key,
                 "correlation_display": "opspack"},
                wire.REQUEST_FIELDS,
            )  # fmt: skip
        self._ensure_item_line(row, item_id, item.name, user_id)
        return self.request_from(row)

    def get(self, number: str) -> CatalogRequest:
        row = self.table.first("sc_request", f"number={literal(number)}", wire.REQUEST_FIELDS)
        if row is None:
            raise NotFoundError(
                f"no catalog request {number}", vendor=self.vendor, endpoint="GET /api/now/table/sc_request"
            )
        return self.request_from(row)

    def find(self, business_key: str) -> CatalogRequest | None:
        row = self.table.first("sc_request", f"correlation_id={literal(business_key)}", wire.REQUEST_FIELDS)
        return self.request_from(row) if row else None

    def _ensure_item_line(
        self, request_row: dict[str, Any], item_id: str, item_name: str, user_id: str
    ) -> None:
        request_id = wire.text(request_row, "sys_id")
        values = {"request": request_id, "cat_item": item_id, "requested_for": user_id, "quantity": "1",
                  "short_description": item_name}  # fmt: skip
        for _ in range(ITEM_LINE_ATTEMPTS):
            if self.table.first("sc_req_item", f"request={request_id}", ("sys_id",)) is not None:
                return
            try:
                self.table.create("sc_req_item", values, ("sys_id",))
                return
            except (OutcomeUnknownError, RetriableError):
                continue  # check again before re-sending: the line may have been created
        raise OutcomeUnknownError(
            f"request {wire.text(request_row, 'number')} exists but its item line could not be confirmed; "
            "call create_catalog_request again with the same business key",
            vendor=self.vendor,
            endpoint="POST /api/now/table/sc_req_item",
        )

    def request_from(self, row: dict[str, Any]) -> CatalogRequest:
        line = self.table.first(
            "sc_req_item", f"request={wire.text(row, 'sys_id')}^ORDERBYnumber", wire.REQUEST_ITEM_FIELDS
        )
        return CatalogRequest(
            number=wire.text(row, "number"),
            item=(wire.text(line, "cat_item.name") or None) if line else None,
            requested_for=wire.text(row, "requested_for.user_name") or None,
            short_description=wire.text(row, "short_description"),
            state=wire.request_state(row),
            business_key=wire.text(row, "correlation_id") or None,
            opened_at=wire.parse_time(wire.text(row, "opened_at")),
        )
