"""What a scale-out run must show, read back from the claim table, the ledger and the served ERP:
nothing lost, nothing done twice, no false exception or failure because another worker had the
item, no timeline with two endings, the ledger verifies."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

import requests
from scaleout_harness import _ask

from opspack.mock_connections import MockSecrets

CONCURRENCY_WORDS = ("already in progress", "in progress elsewhere", "duplicate")


def ap_verdicts(store: Any) -> dict[str, Any]:
    """Per AP transaction: its completed result, whether it was escalated and whether it posted."""
    from governance.ledger import Ledger

    ledger = Ledger(store)
    seen: dict[str, dict[str, Any]] = {}
    for record in ledger.records():
        if not record.transaction_id.startswith("ap-"):
            continue
        entry = seen.setdefault(record.transaction_id, {"escalations": [], "posted": 0, "results": []})
        if record.kind == "escalation":
            entry["escalations"].append(record.payload.get("rule"))
        payload = record.payload
        if record.kind == "execution_outcome" and (payload.get("operation"), payload.get("status")) == (
            "erp.post_invoice",
            "executed",
        ):
            entry["posted"] += 1
        if record.kind == "note" and record.payload.get("event") == "ap_completed":
            entry["results"].append(record.payload["result"])
    return seen


SAP_INVOICES = "/sap/opu/odata/sap/API_SUPPLIERINVOICE_PROCESS_SRV/A_SupplierInvoice"


def sap_invoice_keys(url: str) -> Counter[tuple[str, str]]:
    """(vendor, invoice reference) of every supplier invoice in the served SAP mock, with counts."""
    secrets = MockSecrets()
    session = requests.Session()
    session.auth = (secrets.get("sap/ap_clerk/username"), secrets.get("sap/ap_clerk/password"))
    found: Counter[tuple[str, str]] = Counter()
    next_url: str | None = (
        f"{url}{SAP_INVOICES}?$format=json&$select=InvoicingParty,SupplierInvoiceIDByInvcgParty"
    )
    while next_url:
        body = _ask(session, "GET", next_url)["d"]
        rows = body["results"] if isinstance(body, dict) else body
        for row in rows:
            found[(str(row["InvoicingParty"]), str(row["SupplierInvoiceIDByInvcgParty"]))] += 1
        next_url = body.get("__next") if isinstance(body, dict) else None
        if next_url and next_url.startswith("/"):
            next_url = url + next_url
    return found


@dataclass
class ChaosReport:
    items: int
    seconds: float
    states: dict[str, int]
    outcomes: dict[str, int]
    lost: int
    dead: int
    double_writes: int
    double_in_erp: int
    false_exceptions: int
    mixed_timelines: int
    failed: int
    false_failures: int
    failed_reasons: list[str]
    ledger_ok: bool
    ledger_records: int
    elsewhere_or_done: int
    steady_items: int = 0
    steady_seconds: float = 0.0

    @property
    def throughput(self) -> float:
        """Items per second from the first item done to the last (workers' steady state)."""
        return self.steady_items / self.steady_seconds if self.steady_seconds else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "items_per_second": round(self.throughput, 2)}


def check_run(
    store: Any,
    url: str | None,
    expected_items: int,
    manifest: list[Any],
    seconds: float,
    logs: list[dict[str, Any]],
) -> ChaosReport:
    """Everything a scale-out run must show, read from the claim table, the ledger and the ERP."""
    from governance.ledger import Ledger
    from opspack.runtime.work_items import WorkItems

    claims = WorkItems(store)
    states = claims.counts()
    outcomes = claims.outcomes()
    failed_reasons = [str(row["reason"]) for row in claims.rows() if row["outcome"] == "failed"]
    ledger = Ledger(store)
    writes: Counter[str] = Counter()
    for record in ledger.records(kind="execution_outcome"):
        if record.payload.get("status") == "executed":
            writes[str(record.payload.get("idempotency_key"))] += 1
    verdicts = ap_verdicts(store)
    unique_posts = Counter((i.vendor_id, i.reference) for i in manifest)
    should_post = {
        (i.vendor_id, i.reference)
        for i in manifest
        if i.expected == "post" and unique_posts[(i.vendor_id, i.reference)] == 1
    }
    false_exceptions = mixed = 0
    for entry in verdicts.values():
        duplicate_rules = [r for r in entry["escalations"] if str(r).startswith("duplicate")]
        results = entry["results"]
        keys = {(r.get("vendor_id"), r.get("reference")) for r in results}
        if duplicate_rules and keys & should_post:
            false_exceptions += 1
        if duplicate_rules and entry["posted"]:
            mixed += 1
        if len({r["status"] for r in results}) > 1:
            mixed += 1
    double_in_erp = sum(n - 1 for n in sap_invoice_keys(url).values() if n > 1) if url else 0
    report = ledger.verify()
    elsewhere = sum(
        1
        for line in logs
        if str(line.get("message", "")).endswith(("in progress elsewhere", "already done"))
        or " in progress elsewhere by " in str(line.get("message", ""))
        or " already done by " in str(line.get("message", ""))
    )
    return ChaosReport(
        items=expected_items,
        seconds=seconds,
        states=states,
        outcomes=outcomes,
        lost=expected_items - states.get("done", 0) - states.get("dead", 0),
        dead=states.get("dead", 0),
        double_writes=sum(n - 1 for n in writes.values() if n > 1),
        double_in_erp=double_in_erp,
        false_exceptions=false_exceptions,
        mixed_timelines=mixed,
        failed=outcomes.get("failed", 0),
        false_failures=sum(any(w in r for w in CONCURRENCY_WORDS) for r in failed_reasons),
        failed_reasons=failed_reasons,
        ledger_ok=bool(report.ok),
        ledger_records=int(report.records_checked),
        elsewhere_or_done=elsewhere,
    )
