"""What tracing costs (run with ``make bench``): the AP agent end to end on `FakeERP` with tracing
off (the baseline), and on with spans kept in memory; and one `step()` call while off against a
bare `contextlib.nullcontext()`."""

from __future__ import annotations

import contextlib
import time
from pathlib import Path

from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from agents.ap.agent import APAgent
from agents.ap.register import InvoiceRegister
from agents.ap.synthetic_inbox import write_inbox
from agents.performers import ERPPerformer
from connectors.erp.fake import FakeERP
from governance.policy import load_policy
from governance.runtime import Governor
from governance.store import Store
from observability.tracing import TracingConfig, configure_tracing, shutdown_tracing, step
from opspack.settings import policy_path

INVOICES = 150
CALLS = 200_000


def _run(folder: Path, database: Path) -> float:
    erp = FakeERP.sample()
    items = write_inbox(erp, folder, INVOICES, seed=21)
    governor = Governor(
        load_policy(policy_path()), Store(f"sqlite:///{database}"), {"sap": ERPPerformer(erp)}
    )
    agent = APAgent(governor, erp, system="sap", register=InvoiceRegister())
    started = time.perf_counter()
    results = [agent.process(folder / item.file) for item in items]
    elapsed = time.perf_counter() - started
    assert not any(r.status == "failed" for r in results)
    return elapsed


def test_tracing_overhead(tmp_path: Path) -> None:
    configure_tracing(TracingConfig())
    off = _run(tmp_path / "off", tmp_path / "off.db")
    spans = InMemorySpanExporter()
    configure_tracing(exporter=spans)
    try:
        on = _run(tmp_path / "on", tmp_path / "on.db")
        recorded = len(spans.get_finished_spans())
    finally:
        shutdown_tracing()
    started = time.perf_counter()
    for _ in range(CALLS):
        with contextlib.nullcontext():
            pass
    bare = time.perf_counter() - started
    started = time.perf_counter()
    for _ in range(CALLS):
        with step("gate", "t-1"):
            pass
    noop = time.perf_counter() - started
    print(f"\nAP agent, {INVOICES} invoices on FakeERP: tracing off {1000 * off / INVOICES:.2f} ms/invoice,")
    print(
        f"on (in-memory exporter, {recorded} spans) {1000 * on / INVOICES:.2f} ms/invoice: ratio on/off {on / off:.2f}"
    )
    print(
        f"step() while off: {1e9 * noop / CALLS:.0f} ns/call vs nullcontext {1e9 * bare / CALLS:.0f} ns: ratio {noop / bare:.2f}"
    )
    assert recorded >= INVOICES * 5
