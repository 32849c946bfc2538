"""Test doubles for the governance suites: a file-backed target system and policies.

`FileTarget` keeps its documents in a JSON file, so a write survives the death of the process
that made it -- what the crash and restart tests need. Scripted faults make `perform` and
`reconcile` behave like a flaky vendor: fail before or after the write, say no, or die.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from connectors.errors import OutcomeUnknownError, RejectedError, ServerError
from governance.action import Action
from governance.executor import ExecutionResult
from governance.policy import Policy, parse_policy


class FileTarget:
    """A target system whose documents live in a JSON file keyed by business key.

    `faults` is consumed one per `perform` call: ``ok``, ``unknown_before`` (nothing written, the
    caller cannot know), ``unknown_after`` (written, then the answer is lost), ``reject``,
    ``server`` (a retriable 5xx, nothing written), ``exit_before`` / ``exit_after`` (the process
    dies before / after the write), ``hang_before`` / ``hang_after`` (signal and wait to be killed). ``reconcile_mode`` ``cannot_tell`` makes lookups fail.
    """

    def __init__(
        self,
        path: Path,
        faults: Iterable[str] = (),
        *,
        reconcile_mode: str = "lookup",
        reconcilable: bool = True,
    ) -> None:
        self.path = Path(path)
        self.faults = list(faults)
        self.reconcile_mode = reconcile_mode
        self.reconcilable = reconcilable
        self.perform_calls = 0
        self.reconcile_calls = 0

    def _load(self) -> dict[str, Any]:
        if not self.path.exists():
            return {"documents": {}, "writes": []}
        data: dict[str, Any] = json.loads(self.path.read_text())
        return data

    def _write(self, action: Action) -> str:
        data = self._load()
        document_id = f"DOC-{len(data['writes']) + 1:04d}"
        data["documents"][action.business_key] = document_id
        data["writes"].append(action.business_key)
        self.path.write_text(json.dumps(data))
        return document_id

    @property
    def writes(self) -> list[str]:
        """Every write ever made, in order (a duplicate shows up twice)."""
        return list(self._load()["writes"])

    def perform(self, action: Action) -> ExecutionResult:
        self.perform_calls += 1
        fault = self.faults.pop(0) if self.faults else "ok"
        if fault == "exit_before":
            os._exit(137)
        if fault == "hang_before":
            self._hang()
        if fault == "unknown_before":
            raise OutcomeUnknownError("connection dropped", vendor="file", endpoint="POST /documents")
        if fault == "reject":
            raise RejectedError(
                "vendor says: invoice already blocked", vendor="file", endpoint="POST /documents", status=422
            )
        if fault == "server":
            raise ServerError("upstream unavailable", vendor="file", endpoint="POST /documents", status=503)
        document_id = self._write(action)
        if fault == "exit_after":
            os._exit(137)
        if fault == "hang_after":
            self._hang()
        if fault == "unknown_after":
            raise OutcomeUnknownError("timeout after sending", vendor="file", endpoint="POST /documents")
        return ExecutionResult(document_id, {"business_key": action.business_key})

    def _hang(self) -> None:
        """Tell the test we are at the fatal point, then wait for SIGKILL."""
        self.path.with_suffix(".ready").write_text("ready")
        time.sleep(60)
        os._exit(3)  # never reached when the test kills us

    def reconcile(self, action: Action) -> ExecutionResult | None:
        self.reconcile_calls += 1
        if self.reconcile_mode == "cannot_tell":
            raise OutcomeUnknownError("lookup unavailable", vendor="file", endpoint="GET /documents")
        document_id = self._load()["documents"].get(action.business_key)
        return ExecutionResult(document_id, {"reconciled": True}) if document_id else None


class DirectoryTarget:
    """A target that stores each write as its own file: safe for several processes at once."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)

    def perform(self, action: Action) -> ExecutionResult:
        document = self.folder / f"{action.business_key}.{uuid.uuid4().hex}"
        document.write_text(str(os.getpid()))
        return ExecutionResult(document.name)

    def reconcile(self, action: Action) -> ExecutionResult | None:
        found = sorted(self.folder.glob(f"{action.business_key}.*"))
        return ExecutionResult(found[0].name) if found else None

    def writes(self) -> list[str]:
        return sorted(path.name.split(".", 1)[0] for path in self.folder.iterdir())


def policy_data() -> dict[str, Any]:
    """A small policy: `ap` posts invoices alone up to 1000 EUR, payments always need approval."""
    return {
        "settings": {"approval_ttl_hours": 24, "hotl_review_hours": 12},
        "systems": {"sap": {"kind": "erp"}, "servicenow": {"kind": "itsm"}},
        "agents": {
            "ap": {
                "identity": {"id": "agent-ap", "owner": "lead@example.com"},
                "systems": {
                    "sap": [
                        "erp.post_invoice",
                        "erp.schedule_payment",
                        "erp.hold_invoice",
                        "erp.update_vendor",
                    ]
                },
                "autonomy": {
                    "default": "hitl",
                    "classes": {
                        "erp.post_invoice": "hootl",
                        "erp.hold_invoice": "hotl",
                        "erp.update_vendor": "shadow",
                    },
                },
                "thresholds": {
                    "erp.post_invoice": {"max_amount": 1000, "currency": "EUR", "deny_above": 100000}
                },
                "aggregates": [
                    {
                        "name": "paid_per_vendor_per_day",
                        "operations": ["erp.post_invoice", "erp.schedule_payment"],
                        "measure": "sum",
                        "per": "counterparty",
                        "window": "day",
                        "limit": 3000,
                        "currency": "EUR",
                    }
                ],
                "escalation": {"default": {"queue": "ap", "sla_hours": 8}},
            },
            "desk": {
                "identity": {"id": "agent-desk", "owner": "it@example.com"},
                "systems": {"servicenow": ["itsm.comment"]},
                "autonomy": {"default": "hootl"},
                "escalation": {"default": {"queue": "l2", "sla_hours": 8}},
            },
        },
        "approvers": {
            "alice": {"name": "Alice", "may_approve": ["ap"]},
            "bob": {"name": "Bob", "may_approve": ["ap"]},
            "carol": {"name": "Carol", "may_approve": ["desk"]},
        },
        "segregation_of_duties": [
            {
                "name": "vendor_vs_payment",
                "changed_by": ["erp.update_vendor"],
                "cannot_approve": ["erp.schedule_payment"],
            }
        ],
    }


def make_policy(**settings: Any) -> Policy:
    data = policy_data()
    data["settings"].update(settings)
    return parse_policy(data)


def money_params(
    operation: str, number: str, amount: str | None, vendor: str, currency: str = "EUR"
) -> dict[str, Any]:
    """Parameters that carry the amount, currency and vendor where `operation` declares them."""
    if operation == "erp.post_invoice":
        draft: dict[str, Any] = {"reference": number, "vendor_id": vendor, "currency": currency}
        if amount is not None:
            draft["gross_amount"] = amount
        return {"invoice": draft}
    if operation == "erp.schedule_payment":
        params: dict[str, Any] = {"payment_date": "2026-12-01", "vendor_id": vendor, "currency": currency}
        if amount is not None:
            params["amount"] = amount
        return params
    return {"invoice": number}


def invoice(
    number: str = "INV-1", amount: str | None = "100.00", *, vendor: str = "V1", **fields: Any
) -> Action:
    operation = fields.pop("operation", "erp.post_invoice")
    base: dict[str, Any] = {
        "agent": "ap",
        "system": "sap",
        "operation": operation,
        "target": vendor,
        "params": money_params(operation, number, amount, vendor, fields.pop("currency", "EUR")),
        "business_key": f"{vendor}:{number}",
    }
    return Action.model_validate(base | fields)


def payment(number: str = "PAY-1", amount: str = "500.00", *, vendor: str = "V1", **fields: Any) -> Action:
    return invoice(number, amount, vendor=vendor, operation="erp.schedule_payment", **fields)
