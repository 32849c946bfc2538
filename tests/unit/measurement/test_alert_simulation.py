"""Simulation: the alert rule honours its configured false-alarm rate and catches a doubled rate.

A period is one run of the alert rule for one agent at a realistic volume: 500 transactions in the
current 24 h window and 28 days × 500 in the baseline, four exception types at 5 %, 3 %, 2 % and
1 % (``price_variance``, ``math_error``, ``duplicate``, ``bank_change``). Counts are drawn with a
fixed seed and tested exactly as `evaluate_baselines` tests them (beta-binomial predictive p-values,
Benjamini-Hochberg across the run, q < alpha); `test_simulation_rule_is_evaluate_baselines` proves
the two agree on generated transactions. Measured (seeded, generated data): 1,000 stable periods
raise an alert in 0.5 % of periods at alpha = 1 %; a doubled 5 % rate is detected in 88.4 %.
"""

from __future__ import annotations

from datetime import timedelta

import numpy as np
from measurement_ledgers import NOW, config

from governance.baselines import benjamini_hochberg, departure_p_value, evaluate_baselines
from governance.metrics import TransactionView

RATES = {"price_variance": 0.05, "math_error": 0.03, "duplicate": 0.02, "bank_change": 0.01}
PER_DAY, BASELINE_DAYS, ALPHA, PERIODS = 500, 28, 0.01, 1000


def period_alerts(rng: np.random.Generator, doubled: str | None) -> dict[str, bool]:
    p_values: list[float | None] = []
    for name, rate in RATES.items():
        baseline = int(rng.binomial(PER_DAY * BASELINE_DAYS, rate))
        current = int(rng.binomial(PER_DAY, rate * (2 if name == doubled else 1)))
        p_values.append(departure_p_value(current, PER_DAY, baseline, PER_DAY * BASELINE_DAYS))
    q_values = benjamini_hochberg(p_values)
    return {name: q is not None and q < ALPHA for name, q in zip(RATES, q_values, strict=True)}


def test_stable_periods_fire_at_or_below_the_configured_rate() -> None:
    rng = np.random.default_rng(20261206)
    fired = sum(any(period_alerts(rng, None).values()) for _ in range(PERIODS))
    print(f"\nfalse alarms: {fired} of {PERIODS} stable periods ({fired / PERIODS:.1%}) at alpha {ALPHA:.0%}")
    assert fired / PERIODS <= ALPHA


def test_a_doubled_rate_is_detected_with_at_least_80_percent_probability() -> None:
    rng = np.random.default_rng(20261207)
    detected = sum(period_alerts(rng, "price_variance")["price_variance"] for _ in range(PERIODS))
    print(f"\ndoubled 5 % rate detected in {detected} of {PERIODS} periods ({detected / PERIODS:.1%})")
    assert detected / PERIODS >= 0.80


def test_simulation_rule_is_evaluate_baselines() -> None:
    """The same counts through `evaluate_baselines` (views, windows, minimums) give the same alerts."""
    rng = np.random.default_rng(5)
    views: list[TransactionView] = []
    current_counts, baseline_counts = {}, {}
    for name, rate in RATES.items():
        baseline_counts[name] = int(rng.binomial(200 * 10, rate))
        current_counts[name] = 30 if name == "math_error" else int(rng.binomial(200, rate))  # 15 % vs 3 %
    for window, volume, counts, offset in (
        ("current", 200, current_counts, timedelta(minutes=1)),
        ("baseline", 2000, baseline_counts, timedelta(days=1, minutes=1)),
    ):
        for i in range(volume):
            started = NOW - offset - timedelta(seconds=i * (40 if window == "current" else 400))
            view = TransactionView(f"{window}-{i}", "ap_clerk", started, action_class="erp.post_invoice")
            view.exceptions = {name for name, count in counts.items() if i < count}
            views.append(view)
    checks = {c.exception: c for c in evaluate_baselines(views, config().alerts, NOW) if c.segment is None}
    p_values = [departure_p_value(current_counts[n], 200, baseline_counts[n], 2000) for n in RATES]
    q_values = benjamini_hochberg(p_values)
    for name, q in zip(RATES, q_values, strict=True):
        assert checks[name].p_value == p_values[list(RATES).index(name)]
        assert checks[name].q_value == q and checks[name].alert == (q is not None and q < ALPHA)
    assert checks["math_error"].alert and checks["math_error"].direction == "up"
