"""Each overdue purchase order followed up is its own trace: intake, decide, gate (shadowed here)."""

from __future__ import annotations

from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from agents.performers.erp import ERPPerformer
from agents.procurement.po_followup import follow_up
from connectors.erp.fake import FakeERP
from governance.policy import load_policy
from governance.runtime import Governor
from governance.store import Store
from observability.tracing import TRANSACTION_ATTRIBUTE, configure_tracing, shutdown_tracing

from .conftest import FIXTURES
from .test_po_followup import TODAY, erp  # noqa: F401  (the fixture)


def test_each_follow_up_is_one_trace(erp: FakeERP, sqlite_url: str) -> None:  # noqa: F811
    spans = InMemorySpanExporter()
    configure_tracing(exporter=spans)
    try:
        governor = Governor(
            load_policy(FIXTURES / "policy.yaml"), Store(sqlite_url), {"sap": ERPPerformer(erp)}
        )
        results = follow_up(erp, TODAY, governor=governor, close_after_days=90)
    finally:
        shutdown_tracing()
    assert results
    by_trace: dict[int, list[str]] = {}
    for span in sorted(spans.get_finished_spans(), key=lambda s: s.start_time or 0):
        by_trace.setdefault(span.context.trace_id, []).append(span.name)
        assert span.attributes and str(span.attributes[TRANSACTION_ATTRIBUTE]).startswith("po-follow-up-")
    assert len(by_trace) == len(results)
    assert all(names[:4] == ["transaction", "intake", "decide", "gate"] for names in by_trace.values())
