"""The operations report in a real browser: charts render, and every number equals `metrics --json`.

Needs Debian's chromium (``apt-get install chromium``) and the Playwright Python package; it never
downloads a browser (`playwright install` is not used) and skips with the reason when either is
absent.
"""

from __future__ import annotations

import json
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "unit" / "measurement"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from chromium_support import CHROMIUM, CHROMIUM_ARGS, sync_playwright_or_skip
from measurement_ledgers import NOW, POLICY, LedgerWriter

from governance.report import display
from governance.store import Store

pytestmark = pytest.mark.browser


def _cli() -> typer.Typer:
    """The real root app when the measurement groups are mounted there, else the same groups alone."""
    from opspack.cli import app

    names = {group.name for group in app.registered_groups}
    if "metrics" in names and any(
        c.name == "report" or getattr(c.callback, "__name__", "") == "report" for c in app.registered_commands
    ):
        return app
    from opspack.cli.metrics import metrics_app
    from opspack.cli.reports import report

    local = typer.Typer()
    local.add_typer(metrics_app, name="metrics")
    local.command()(report)
    return local


def _history() -> None:
    writer = LedgerWriter(Store())
    for day in range(14):
        for i in range(6 + day % 4):
            at = NOW - timedelta(days=day, hours=i + 1)
            writer.transaction(
                "ap_clerk",
                "erp.post_invoice",
                "autonomous",
                at=at,
                corrected=i == 0 and day % 5 == 0,
                exceptions=("price_variance",) if i == 1 else (),
                llm_cost="0.05",
            )
        writer.transaction(
            "ap_clerk",
            "erp.post_invoice",
            "held",
            at=NOW - timedelta(days=day, hours=9),
            cycle=timedelta(hours=3),
            rejected=day % 3 == 0,
            sla_hours=24,
        )
        writer.transaction(
            "service_desk",
            "itsm.resolve",
            "escalated",
            at=NOW - timedelta(days=day, hours=2),
            cycle=timedelta(hours=5),
            exceptions=("escalated_low_confidence",),
        )
        writer.transaction(
            "procurement",
            "erp.update_po_status",
            "shadowed",
            at=NOW - timedelta(days=day, hours=3),
            shadow_agreed=day != 4,
        )


def _lookup(data: dict[str, Any], path: str) -> Any:
    node: Any = data
    for part in path.split("."):
        node = node[part]
    return node


def test_report_renders_charts_with_the_metrics_numbers(tmp_path: Path) -> None:
    sync_playwright = sync_playwright_or_skip()
    _history()
    as_of = ["--as-of", NOW.isoformat()]
    runner, app = CliRunner(), _cli()
    metrics = runner.invoke(app, ["metrics", "--json", *as_of])
    assert metrics.exit_code == 0, metrics.output
    expected = json.loads(metrics.output)
    written = runner.invoke(
        app, ["report", "--out", str(tmp_path / "report"), "--policy", str(POLICY), *as_of]
    )
    assert written.exit_code == 0, written.output
    page_url = (tmp_path / "report" / "report.html").as_uri()

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            requests: list[str] = []
            page.on("request", lambda request: requests.append(request.url))
            page.goto(page_url)
            charts = page.locator("svg.chart")
            assert sorted(charts.evaluate_all("els => els.map(e => e.dataset.chart)")) == [
                "grouped_bars",
                "grouped_bars",
                "ladder",
                "stacked_bars",
            ]
            for index in range(charts.count()):
                box = charts.nth(index).bounding_box()
                assert box is not None and box["width"] > 300 and box["height"] > 100
            bars = page.locator('svg[data-chart="stacked_bars"] rect[data-series]')
            total = sum(int(v) for v in bars.evaluate_all("els => els.map(e => e.dataset.value)"))
            assert total == expected["overall"]["throughput"]["transactions"]
            ladder = page.locator('svg[data-chart="ladder"] circle[data-series="tier"]').evaluate_all(
                "els => els.map(e => [e.dataset.category, e.dataset.value])"
            )
            assert ["procurement erp.update_po_status", "shadow"] in ladder
            cells = page.locator("[data-metric]").evaluate_all(
                "els => els.map(e => [e.dataset.metric, e.dataset.value, e.textContent.trim()])"
            )
            assert len(cells) > 40
            for metric, raw, text in cells:
                value = _lookup(expected, metric)
                assert json.loads(raw) == value, metric
                assert text == display(metric.rsplit(".", 1)[1], value), metric
            assert all(url.startswith("file://") for url in requests), requests
        finally:
            browser.close()
