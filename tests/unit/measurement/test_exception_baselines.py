"""Exception baselines: the alert fires exactly at the documented margin, reaches the webhook and
the ledger, and the policy reacts (demotion, kill switch) as configured."""

from __future__ import annotations

import json
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
import responses
from measurement_ledgers import NOW, POLICY, LedgerWriter, config

from governance.autonomy import apply_alert_actions
from governance.baselines import (
    AlertDispatcher,
    BaselineCheck,
    critical_count,
    departure_p_value,
    evaluate_baselines,
    post_json,
    smoothed_rate,
)
from governance.ledger import Ledger
from governance.metrics import read_transactions
from governance.policy import Tier, load_policy
from governance.store import Store

BASELINE_RATE = smoothed_rate(14, 280)  # 14 price variances in 280 baseline transactions
CURRENT = 100


def history(
    store: Store, current_exceptions: int, *, exception: str = "price_variance", vendor: str = ""
) -> None:
    """28 days × 10 transactions with 5 % exceptions, then 100 in the last 24 h with the given count."""
    writer = LedgerWriter(store)
    for i in range(280):
        writer.transaction(
            "ap_clerk",
            "erp.post_invoice",
            "autonomous",
            at=NOW - timedelta(days=1, hours=i * 2.4 + 1),
            exceptions=(exception,) if i % 20 == 0 else (),
            counterparty=vendor,
        )
    for i in range(CURRENT):
        writer.transaction(
            "ap_clerk",
            "erp.post_invoice",
            "autonomous",
            at=NOW - timedelta(minutes=i * 14 + 1),
            exceptions=(exception,) if i < current_exceptions else (),
            counterparty=vendor,
        )


def checks_for(store: Store) -> list[BaselineCheck]:
    views = read_transactions(Ledger(store), config().metrics)
    return evaluate_baselines(views, config().alerts, NOW)


def test_critical_count_is_the_documented_margin() -> None:
    # The baseline's own uncertainty (14 of 280) widens the margin: the known-rate binomial test
    # fired at 12, the beta-binomial predictive test fires at 14.
    margin = critical_count(CURRENT, 14, 280, 0.01)
    assert margin == 14
    assert departure_p_value(margin, CURRENT, 14, 280) < 0.01
    assert departure_p_value(margin - 1, CURRENT, 14, 280) >= 0.01


@pytest.mark.parametrize(("count", "fires"), [(13, False), (14, True)])
def test_alert_fires_at_the_margin_and_not_below(sqlite_url: str, count: int, fires: bool) -> None:
    store = Store(sqlite_url)
    history(store, count)
    (check,) = [c for c in checks_for(store) if c.segment is None]
    assert (check.current_count, check.current_volume) == (count, 100)
    assert (check.baseline_count, check.baseline_volume) == (14, 280)
    assert check.alert is fires and check.direction == "up"
    assert check.action_class == "erp.post_invoice"


def test_too_little_volume_is_not_tested(sqlite_url: str) -> None:
    store = Store(sqlite_url)
    writer = LedgerWriter(store)
    for i in range(10):
        writer.transaction(
            "ap_clerk",
            "erp.post_invoice",
            "autonomous",
            at=NOW - timedelta(hours=i + 1),
            exceptions=("price_variance",),
        )
    (check,) = checks_for(store)
    assert check.p_value is None and not check.alert


def test_per_vendor_baseline(sqlite_url: str) -> None:
    store = Store(sqlite_url)
    history(store, 30, vendor="V7")
    segments = {c.segment for c in checks_for(store) if c.alert}
    assert segments == {None, "V7"}


def test_alert_goes_to_webhook_and_ledger(sqlite_url: str) -> None:
    store = Store(sqlite_url)
    history(store, 20)
    posted: list[tuple[str, dict[str, object]]] = []

    def post(url: str, body: bytes) -> int:
        posted.append((url, json.loads(body)))
        return 204

    sent = AlertDispatcher(Ledger(store), "https://hooks.example.com/x", post=post).dispatch(
        checks_for(store), NOW
    )
    assert len(sent) == 1 and len(posted) == 1
    assert posted[0][1]["exception"] == "price_variance" and posted[0][1]["current_count"] == 20
    (note,) = [r for r in Ledger(store).records(kind="note") if r.transaction_id == "alerts:ap_clerk"]
    assert note.payload["event"] == "exception_alert" and note.payload["webhook"] == "HTTP 204"
    # alerts are bookkeeping, not business transactions
    assert len(read_transactions(Ledger(store), config().metrics)) == 380


@responses.activate
def test_webhook_post_over_http_and_blocked_live_call(sqlite_url: str) -> None:
    responses.add(responses.POST, "http://alerts.localhost/hook", status=200)
    assert post_json("http://alerts.localhost/hook", b"{}") == 200
    store = Store(sqlite_url)
    history(store, 20)
    sent = AlertDispatcher(Ledger(store), "https://hooks.example.com/x").dispatch(checks_for(store), NOW)
    assert sent[0]["webhook"].startswith("failed: LiveCallBlocked")


def test_alert_actions_demote_and_trip_the_kill_switch(sqlite_url: str, tmp_path: Path) -> None:
    policy_file = tmp_path / "policy.yaml"
    shutil.copy(POLICY, policy_file)
    store = Store(sqlite_url)
    history(store, 20)
    changes = apply_alert_actions(policy_file, Ledger(store), checks_for(store), config())
    assert [(c.operation, c.new_tier) for c in changes] == [("erp.post_invoice", "hotl")]
    assert load_policy(policy_file).agent("ap_clerk").autonomy.tier_for("erp.post_invoice") is Tier.HOTL

    other = Store(f"sqlite:///{tmp_path / 'other.db'}")
    history(other, 20, exception="bank_change")
    (change,) = apply_alert_actions(policy_file, Ledger(other), checks_for(other), config())
    assert change.kill_switch is True and load_policy(policy_file).agent("ap_clerk").kill_switch
    (record,) = Ledger(other).records(kind="autonomy_changed")
    assert record.payload["direction"] == "kill_switch"
