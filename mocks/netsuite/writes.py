"""Writes to the NetSuite mock's records, under NetSuite's rules as far as opspack needs them.

``externalId`` is unique per record type (DUP_RCRD); references must exist (INVALID_KEY_OR_REF);
inactive vendors take no new transactions; bills on payment hold or paid in full cannot be paid;
PATCH changes only the fields listed here; subscriptions change through change orders
(`mocks.netsuite.subscriptions`). `taxTotal` is accepted on create because the mock has
no tax engine (a real account computes it from tax codes).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from connectors.erp.models import iban_is_valid
from mocks.netsuite.records import BANK, CURRENCIES, NetSuiteRecords, fail, ref_id, sublist
from mocks.netsuite.subscriptions import create_change_order
from mocks.netsuite.vendor_credits import approval_status, create_vendor_credit

_VENDOR_FIELDS = {"isInactive", "comments", "vatRegNumber", "taxIdNum"}
"""Vendor fields opspack changes: the inactive flag (its block), comments (why), tax numbers."""
_TAX_NUMBER_MAX = 20
_BANK_FIELDS = {
    "custrecord_2663_entity_iban",
    "custrecord_2663_entity_acct_no",
    "custrecord_2663_entity_swift",
    "custrecord_2663_entity_country_code",
    "custrecord_2663_entity_acct_name",
    "name",
    "custrecord_2663_entity_bank_type",
}
"""Bank-details fields a PATCH or create may set."""
_LINE_FIELDS = {"isClosed", "custcol_opspack_spend_category", "description", "expectedReceiptDate"}
"""Purchase-order line fields a PATCH may set."""


class NetSuiteAccount(NetSuiteRecords):
    """The mock account: records plus creates, PATCHes and transforms."""

    # -- creates ----------------------------------------------------------------------------------
    def create(self, record_type: str, body: dict[str, Any]) -> str:
        if record_type == "vendorBill":
            return self._create_bill(body)
        if record_type == "vendorCredit":
            return create_vendor_credit(self, body, None)
        if record_type == BANK:
            return self._create_bank(body)
        if record_type == "creditMemo":
            return self._create_credit_memo(body)
        if record_type == "subscriptionChangeOrder":
            return create_change_order(self, body)
        raise fail(400, "INVALID_RCRD_TYPE", f"Creating {record_type} records is not supported by this mock.")

    def _create_bill(self, body: dict[str, Any]) -> str:
        vendor = self._vendor(body.get("entity"))
        if vendor.get("isInactive"):
            raise fail(400, "USER_ERROR", f"Vendor {vendor['companyName']} is inactive and cannot be billed.")
        if not body.get("tranDate"):
            raise fail(400, "USER_ERROR", "Please enter value(s) for: Date")
        self._unique_external_id("vendorBill", body.get("externalId"))
        currency = ref_id(body.get("currency")) or ref_id(vendor.get("currency"))
        if currency not in CURRENCIES:
            raise fail(400, "INVALID_KEY_OR_REF", f"Invalid currency reference key {currency}.")
        items = []
        for index, line in enumerate(body.get("item", {}).get("items", []), start=1):
            order_id = ref_id(line.get("orderDoc"))
            if order_id:
                order = self.records["purchaseOrder"].get(order_id)
                if order is None:
                    raise fail(400, "INVALID_KEY_OR_REF", f"Invalid orderDoc reference key {order_id}.")
                if ref_id(order["entity"]) != vendor["id"]:
                    raise fail(400, "USER_ERROR", f"Purchase order {order_id} belongs to another vendor.")
                if not any(i["line"] == line.get("orderLine") for i in order["item"]["items"]):
                    raise fail(400, "INVALID_KEY_OR_REF", f"Invalid orderLine {line.get('orderLine')}.")
            amount = Decimal(
                str(
                    line.get(
                        "amount", Decimal(str(line.get("quantity", 0))) * Decimal(str(line.get("rate", 0)))
                    )
                )
            )
            items.append(
                {
                    "links": [],
                    "line": index,
                    "description": line.get("description", ""),
                    "quantity": line.get("quantity"),
                    "rate": line.get("rate"),
                    "amount": float(amount),
                    **(
                        {"orderDoc": {"id": order_id}, "orderLine": line.get("orderLine")} if order_id else {}
                    ),
                }
            )
        tax = Decimal(str(body.get("taxTotal", 0)))
        total = (
            Decimal(str(body["userTotal"]))
            if body.get("userTotal") is not None
            else (sum((Decimal(str(i["amount"])) for i in items), Decimal("0")) + tax)
        )
        bill_id = self._new_id()
        self.records["vendorBill"][bill_id] = {
            "id": bill_id,
            "externalId": body.get("externalId"),
            "tranId": body.get("tranId", ""),
            "entity": {"id": vendor["id"], "refName": vendor["companyName"]},
            "tranDate": body["tranDate"],
            "currency": {"id": currency, "refName": CURRENCIES[currency]},
            "subsidiary": {"id": "1"},
            "approvalStatus": approval_status(body.get("approvalStatus")),
            "paymentHold": bool(body.get("paymentHold")),
            "memo": body.get("memo", ""),
            "taxTotal": float(tax),
            "total": float(total),
            "status": {"id": "A", "refName": "Open"},
            "item": sublist(items),
        }
        self.notes.add(bill_id, "Create")
        return bill_id

    def _create_credit_memo(self, body: dict[str, Any]) -> str:
        customer = self.records["customer"].get(ref_id(body.get("entity")))
        if customer is None:
            raise fail(
                400, "INVALID_KEY_OR_REF", f"Invalid entity reference key {ref_id(body.get('entity'))}."
            )
        if customer.get("isInactive"):
            raise fail(400, "USER_ERROR", f"Customer {customer['companyName']} is inactive.")
        self._unique_external_id("creditMemo", body.get("externalId"))
        currency = ref_id(body.get("currency"))
        if currency not in CURRENCIES:
            raise fail(400, "INVALID_KEY_OR_REF", f"Invalid currency reference key {currency or '(none)'}.")
        lines = body.get("item", {}).get("items", [])
        if not lines or any(not ref_id(line.get("item")) for line in lines):
            raise fail(400, "USER_ERROR", "You must enter at least one line item for this transaction.")
        items = [
            {**{k: v for k, v in line.items() if k != "item"}, "line": n, "item": line["item"]}
            for n, line in enumerate(lines, start=1)
        ]
        memo_id = self._new_id()
        self.records["creditMemo"][memo_id] = {
            "id": memo_id,
            "externalId": body.get("externalId"),
            "tranId": f"CM{memo_id}",
            "entity": {"id": customer["id"], "refName": customer["companyName"]},
            "tranDate": body.get("tranDate") or date.today().isoformat(),
            "currency": {"id": currency, "refName": CURRENCIES[currency]},
            "memo": body.get("memo", ""),
            "otherRefNum": body.get("otherRefNum", ""),
            "total": float(sum((Decimal(str(i.get("amount", 0))) for i in items), Decimal("0"))),
            "status": {"id": "A", "refName": "Open"},
            "item": sublist(items),
        }
        return memo_id

    def _create_bank(self, body: dict[str, Any]) -> str:
        vendor = self._vendor(body.get("custrecord_2663_parent_vendor"), "custrecord_2663_parent_vendor")
        record = {k: v for k, v in body.items() if k in _BANK_FIELDS}
        self._check_bank(record)
        bank_id = self._new_id()
        self.records[BANK][bank_id] = {
            "id": bank_id,
            "custrecord_2663_parent_vendor": {"id": vendor["id"], "refName": vendor["companyName"]},
            **record,
        }
        return bank_id

    @staticmethod
    def _check_bank(record: dict[str, Any]) -> None:
        iban = record.get("custrecord_2663_entity_iban")
        if iban and not iban_is_valid(iban):
            raise fail(400, "INVALID_FLD_VALUE", f"Invalid IBAN {iban}.")

    # -- updates ----------------------------------------------------------------------------------
    def patch(self, record_type: str, record_id: str, body: dict[str, Any]) -> None:
        record = self.get(record_type, record_id)
        if record_type == "vendorBill":
            unknown = set(body) - {"paymentHold", "memo", "approvalStatus"}
            if unknown:
                raise fail(
                    400, "INVALID_FLD", f"Field(s) {', '.join(sorted(unknown))} cannot be changed here."
                )
            if body.get("paymentHold") and record["status"]["id"] == "B":
                raise fail(400, "USER_ERROR", "This bill is paid in full and cannot be put on payment hold.")
            changes = dict(body)
            if "approvalStatus" in changes:
                changes["approvalStatus"] = approval_status(changes["approvalStatus"])
            self.notes.changes(record_id, record, changes)
            record.update(changes)
        elif record_type == "purchaseOrder":
            lines = {i["line"]: i for i in record["item"]["items"]}
            for change in body.get("item", {}).get("items", []):
                target = lines.get(change.get("line"))
                if target is None:
                    raise fail(400, "INVALID_KEY_OR_REF", f"Invalid line reference {change.get('line')}.")
                unknown = set(change) - _LINE_FIELDS - {"line"}
                if unknown:
                    raise fail(
                        400, "INVALID_FLD", f"Field(s) {', '.join(sorted(unknown))} cannot be changed here."
                    )
                target.update({k: v for k, v in change.items() if k != "line"})
            if set(body) - {"item"}:
                raise fail(
                    400, "INVALID_FLD", "Only item sublist lines can be changed on a purchase order here."
                )
        elif record_type == "vendor":
            self._patch_vendor(record, body)
        elif record_type == BANK:
            unknown = set(body) - _BANK_FIELDS
            if unknown:
                raise fail(
                    400, "INVALID_FLD", f"Field(s) {', '.join(sorted(unknown))} cannot be changed here."
                )
            self._check_bank({**record, **body})
            record.update(body)
        else:
            raise fail(
                400, "INVALID_RCRD_TYPE", f"Updating {record_type} records is not supported by this mock."
            )

    @staticmethod
    def _patch_vendor(record: dict[str, Any], body: dict[str, Any]) -> None:
        unknown = set(body) - _VENDOR_FIELDS
        if unknown:
            raise fail(400, "INVALID_FLD", f"Field(s) {', '.join(sorted(unknown))} cannot be changed here.")
        for field in ("vatRegNumber", "taxIdNum"):
            if len(str(body.get(field) or "")) > _TAX_NUMBER_MAX:
                raise fail(
                    400,
                    "INVALID_FLD_VALUE",
                    f"Invalid {field} value: longer than {_TAX_NUMBER_MAX} characters.",
                )
        if "isInactive" in body and not isinstance(body["isInactive"], bool):
            raise fail(400, "INVALID_FLD_VALUE", "Invalid isInactive value: expected a boolean.")
        record.update(body)

    # -- transforms -------------------------------------------------------------------------------
    def transform(
        self, source_type: str, source_id: str, target_type: str, body: dict[str, Any]
    ) -> tuple[str, str]:
        source = self.get(source_type, source_id)
        if (source_type, target_type) == ("vendorBill", "vendorPayment"):
            return target_type, self._pay_bill(source, body)
        if (source_type, target_type) == ("vendorBill", "vendorCredit"):
            return target_type, create_vendor_credit(self, body, source)
        if source_type == "purchaseOrder" and target_type in ("itemReceipt", "vendorBill"):
            return target_type, self._from_order(source, target_type, body)
        raise fail(
            400, "INVALID_TRANSFORM", f"Transforming {source_type} into {target_type} is not supported."
        )

    def _pay_bill(self, bill: dict[str, Any], body: dict[str, Any]) -> str:
        if bill.get("paymentHold"):
            raise fail(400, "USER_ERROR", f"Bill {bill['tranId']} is on payment hold.")
        if ref_id(bill.get("approvalStatus")) not in ("", "2"):
            raise fail(400, "USER_ERROR", f"Bill {bill['tranId']} is not approved for payment.")
        if bill["status"]["id"] == "B":
            raise fail(400, "USER_ERROR", f"Bill {bill['tranId']} is already paid in full.")
        vendor = self._vendor(bill["entity"])
        if vendor.get("isInactive"):
            raise fail(400, "USER_ERROR", f"Vendor {vendor['companyName']} is inactive.")
        payment_id = self._new_id()
        self.records["vendorPayment"][payment_id] = {
            "id": payment_id,
            "tranId": f"PYMT{payment_id}",
            "entity": dict(bill["entity"]),
            "tranDate": body.get("tranDate") or bill["tranDate"],
            "currency": dict(bill["currency"]),
            "total": bill["total"],
            "status": {"id": "Z", "refName": "Deposited"},
            "apply": sublist(
                [
                    {
                        "links": [],
                        "doc": {"id": bill["id"]},
                        "apply": True,
                        "amount": bill["total"],
                        "type": "Bill",
                    }
                ]
            ),
        }
        bill["status"] = {"id": "B", "refName": "Paid In Full"}
        return payment_id

    def _from_order(self, order: dict[str, Any], target_type: str, body: dict[str, Any]) -> str:
        vendor = self._vendor(order["entity"])
        if target_type == "vendorBill" and vendor.get("isInactive"):
            raise fail(400, "USER_ERROR", f"Vendor {vendor['companyName']} is inactive.")
        if target_type == "vendorBill":
            self._unique_external_id("vendorBill", body.get("externalId"))
        open_lines = [i for i in order["item"]["items"] if not i.get("isClosed")]
        if not open_lines:
            raise fail(400, "USER_ERROR", f"Purchase order {order['tranId']} has no open lines.")
        new_id = self._new_id()
        tran_date = body.get("tranDate") or order["tranDate"]
        if target_type == "itemReceipt":
            items = []
            for index, line in enumerate(open_lines, start=1):
                remaining = float(line["quantity"]) - float(line.get("quantityReceived", 0))
                if remaining > 0:
                    items.append(
                        {
                            "links": [],
                            "line": index,
                            "orderLine": line["line"],
                            "itemReceive": True,
                            "item": line.get("item"),
                            "quantity": remaining,
                            "units": line.get("units"),
                        }
                    )
                    line["quantityReceived"] = float(line["quantity"])
            if not items:
                raise fail(400, "USER_ERROR", f"Purchase order {order['tranId']} is fully received.")
            self.records["itemReceipt"][new_id] = {
                "id": new_id,
                "tranId": f"IR{new_id}",
                "tranDate": tran_date,
                "entity": dict(order["entity"]),
                "createdFrom": {"id": order["id"]},
                "item": sublist(items),
            }
            return new_id
        items = [
            {
                "links": [],
                "line": n,
                "description": line.get("description", ""),
                "quantity": line["quantity"],
                "rate": line["rate"],
                "amount": line["amount"],
                "orderDoc": {"id": order["id"]},
                "orderLine": line["line"],
            }
            for n, line in enumerate(open_lines, start=1)
        ]
        total = sum((Decimal(str(i["amount"])) for i in items), Decimal("0"))
        self.records["vendorBill"][new_id] = {
            "id": new_id,
            "externalId": body.get("externalId"),
            "tranId": body.get("tranId", f"BILL{new_id}"),
            "entity": dict(order["entity"]),
            "tranDate": tran_date,
            "currency": dict(order["currency"]),
            "subsidiary": {"id": "1"},
            "approvalStatus": {"id": "2", "refName": "Approved"},
            "paymentHold": False,
            "memo": "",
            "taxTotal": 0.0,
            "total": float(total),
            "status": {"id": "A", "refName": "Open"},
            "createdFrom": {"id": order["id"]},
            "item": sublist(items),
        }
        return new_id
