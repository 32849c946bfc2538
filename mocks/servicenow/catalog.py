"""Service Catalog routes of the ServiceNow mock (``/api/sn_sc/servicecatalog``).

``order_now`` creates the request (REQ) and its requested item (RITM) in one step, as an instance
with one-step checkout does, and answers with ``request_number`` / ``request_id``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mocks.base import MockHttpError, MockRequest, MockResponse, json_response, route
from mocks.servicenow.rendering import flag
from mocks.servicenow.tables import now_text

if TYPE_CHECKING:
    from mocks.servicenow.tables import Record, Tables

_ITEMS = r"/api/sn_sc(?:/v1)?/servicecatalog/items"


class CatalogRoutes:
    """Mixed into `ServiceNowMock`; relies on its tables and acting-user helpers."""

    tables: Tables

    if TYPE_CHECKING:  # provided by ServiceNowMock

        def acting_user(self, request: MockRequest) -> str: ...

        def _user(self, user_name: str) -> Record | None: ...

    def _item_summary(self, item: Record) -> dict[str, Any]:
        category = self.tables.get("sc_category", item.get("category", ""))
        return {
            "sys_id": item["sys_id"],
            "name": item.get("name", ""),
            "short_description": item.get("short_description", ""),
            "category": {"sys_id": category["sys_id"], "title": category.get("title", "")}
            if category
            else {},
            "price": item.get("price", "0"),
            "type": "item",
            "sys_class_name": item.get("sys_class_name", "sc_cat_item"),
        }

    @route("GET", _ITEMS)
    def catalog_items(self, request: MockRequest) -> MockResponse:
        text = (request.query.get("sysparm_text") or "").lower()
        limit = int(request.query.get("sysparm_limit") or 10000)
        offset = int(request.query.get("sysparm_offset") or 0)
        items = [
            i
            for i in self.tables.rows.get("sc_cat_item", {}).values()
            if flag(i.get("active"), True)
            and (
                not text
                or text in i.get("name", "").lower()
                or text in i.get("short_description", "").lower()
            )
        ]
        page = [self._item_summary(i) for i in items[offset : offset + limit]]
        return json_response({"result": page}, headers={"X-Total-Count": str(len(items))})

    @route("GET", _ITEMS + r"/(?P<sys_id>\w+)")
    def catalog_item(self, request: MockRequest, sys_id: str) -> dict[str, Any]:
        item = self.tables.get("sc_cat_item", sys_id)
        if item is None:
            raise MockHttpError(404, "Catalog item not found", code=f"No catalog item with sys_id {sys_id}")
        return {"result": self._item_summary(item)}

    @route("POST", _ITEMS + r"/(?P<sys_id>\w+)/order_now")
    def order_now(self, request: MockRequest, sys_id: str) -> dict[str, Any]:
        item = self.tables.get("sc_cat_item", sys_id)
        if item is None or not flag(item.get("active"), True):
            raise MockHttpError(
                400, "Item is not available", code=f"Catalog item {sys_id} is inactive or missing"
            )
        body = request.json()
        if not isinstance(body, dict):
            raise MockHttpError(400, "Invalid request body", code="JSON object expected")
        user = self.acting_user(request)
        opener = self._user(user)
        requested_for = str(body.get("sysparm_requested_for") or (opener or {}).get("sys_id", ""))
        if self.tables.get("sys_user", requested_for) is None:
            raise MockHttpError(
                400, "Invalid requested for user", code=f"No user with sys_id {requested_for}"
            )
        quantity = str(body.get("sysparm_quantity") or "1")
        variables = body.get("variables") or {}
        description = "\n".join(f"{k}: {v}" for k, v in sorted(variables.items()))
        request_record = self.tables.insert(
            "sc_request",
            {"requested_for": requested_for, "opened_by": (opener or {}).get("sys_id", ""),
             "short_description": item.get("name", ""), "description": description,
             "request_state": "requested", "state": "1", "approval": "approved", "correlation_id": "",
             "correlation_display": "", "opened_at": now_text(), "price": "0", "active": "true"},
            user=user,
        )  # fmt: skip
        self.tables.insert(
            "sc_req_item",
            {"request": request_record["sys_id"], "cat_item": sys_id, "requested_for": requested_for,
             "quantity": quantity, "state": "1", "stage": "request_approved",
             "short_description": item.get("name", ""), "opened_at": request_record["opened_at"],
             "active": "true"},
            user=user,
        )  # fmt: skip
        return {
            "result": {
                "sys_id": request_record["sys_id"],
                "number": request_record["number"],
                "request_number": request_record["number"],
                "request_id": request_record["sys_id"],
                "table": "sc_request",
            }
        }
