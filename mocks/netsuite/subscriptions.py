"""SuiteBilling change orders in the NetSuite mock: terminating a subscription.

A subscription is changed by creating a ``subscriptionChangeOrder`` for it, not by PATCHing the
subscription. The mock serves the Terminate action only: the subscription must exist and not be
terminated already (nor have a Terminate pending), the effective date is an ISO date on or after
its start, and the subscription's ``endDate`` becomes that date (its last day of service; the
status turns ``TERMINATED`` once the date has passed, as a nightly process would do).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from mocks.netsuite.records import NetSuiteRecords, fail, ref_id

ACTIONS = {"TERMINATE": "Terminate"}
MEMO_MAX = 999


def create_change_order(store: NetSuiteRecords, body: dict[str, Any]) -> str:
    subscription = store.records["subscription"].get(ref_id(body.get("subscription")))
    if subscription is None:
        raise fail(
            400,
            "INVALID_KEY_OR_REF",
            f"Invalid subscription reference key {ref_id(body.get('subscription')) or '(none)'}.",
        )
    action = ref_id(body.get("action"))
    if action not in ACTIONS:
        raise fail(400, "INVALID_FLD_VALUE", f"Change order action {action or '(none)'} is not supported.")
    pending = any(
        ref_id(order.get("subscription")) == subscription["id"] and ref_id(order.get("action")) == "TERMINATE"
        for order in store.records["subscriptionChangeOrder"].values()
    )
    if pending or ref_id(subscription.get("status")) == "TERMINATED":
        raise fail(400, "USER_ERROR", f"Subscription {subscription['name']} is already terminated.")
    try:
        effective = date.fromisoformat(str(body.get("effectiveDate")))
    except ValueError:
        raise fail(400, "INVALID_FLD_VALUE", "Invalid effectiveDate: expected YYYY-MM-DD.") from None
    if effective < date.fromisoformat(subscription["startDate"]):
        raise fail(400, "USER_ERROR", "The effective date is before the subscription starts.")
    memo = str(body.get("memo") or "")
    if len(memo) > MEMO_MAX:
        raise fail(400, "INVALID_FLD_VALUE", f"Invalid memo value: longer than {MEMO_MAX} characters.")
    order_id = store.new_record_id()
    store.records["subscriptionChangeOrder"][order_id] = {
        "id": order_id,
        "subscription": {"id": subscription["id"], "refName": subscription["name"]},
        "action": {"id": action, "refName": ACTIONS[action]},
        "effectiveDate": effective.isoformat(),
        "memo": memo,
    }
    subscription["endDate"] = effective.isoformat()
    if effective < date.today():
        subscription["status"] = {"id": "TERMINATED", "refName": "Terminated"}
    return order_id
