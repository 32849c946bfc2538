"""How text-classifier cost grows with the number of classes: 100 against 4,000.

Each measurement runs in a fresh subprocess so its peak RSS is its own. The same 6,000 short
product lines (real UNSPSC commodity titles reworded by tests/agents/procurement/unspsc_history.py,
so GENERATED text) are labelled with 100, 400 or 4,000 classes in turn:

* the calibrated linear SVM (`OfflineTextClassifier`, out-of-fold calibration) at 100 and 400
  classes -- its weight matrix is dense (classes x features x 8 bytes), so at 4,000 classes it is
  not run; the bench prints the size the weights alone would take;
* the neighbour learner (`NeighbourSpendModel`: exact matches, then nearest neighbours over
  sparse n-grams) at 100 and 4,000 classes -- its cost does not depend on the number of classes.

Run with ``make bench``; figures are printed, not asserted, except that the neighbour learner's
training rate at 4,000 classes stays within 2x of its rate at 100 (the point of choosing it).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "agents" / "procurement"))
from unspsc_history import SKIP_REASON, UNSPSC  # noqa: E402

ROWS, HELD = 6000, 1000

_CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, sys.argv[1])
model_name, classes, rows, held = sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
from unspsc_history import generated_history, real_taxonomy
lines = generated_history(real_taxonomy(), per_commodity=6)
texts = [d for d, _, _ in lines[: rows + held]]
labels = [f"c{i % classes}" for i in range(len(texts))]
if model_name == "svm":
    from agents.perception.offline import OfflineTextClassifier
    model = OfflineTextClassifier()
else:
    from agents.procurement.spend_learner import NeighbourSpendModel
    model = NeighbourSpendModel()
started = time.process_time()
model.fit(texts[:rows], labels[:rows])
fit_s = time.process_time() - started
started = time.process_time()
model.predict_many(texts[rows:])
predict_s = time.process_time() - started
out = {"train_rows_per_cpu_s": rows / fit_s, "predict_rows_per_cpu_s": held / predict_s,
       "train_cpu_s": fit_s, "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
if model_name == "svm":
    out["features"] = int(model.state.coef.shape[1])
    out["weights_mb"] = model.state.coef.nbytes / 2**20
print(json.dumps(out))
"""


def _measure(model: str, classes: int) -> dict[str, float]:
    result = subprocess.run(
        [sys.executable, "-c", _CHILD, str(ROOT / "tests" / "agents" / "procurement"), model, str(classes),
         str(ROWS), str(HELD)],
        capture_output=True,
        text=True,
        check=True,
        timeout=1800,
    )  # fmt: skip
    measured: dict[str, float] = json.loads(result.stdout)
    return measured


@pytest.mark.skipif(not UNSPSC.is_file(), reason=SKIP_REASON)
def test_cost_growth_from_100_to_4000_classes() -> None:
    runs = {
        ("svm", 100): _measure("svm", 100),
        ("svm", 400): _measure("svm", 400),
        ("neighbours", 100): _measure("neighbours", 100),
        ("neighbours", 4000): _measure("neighbours", 4000),
    }
    print(f"\ntext classifier cost by number of classes ({ROWS} training rows, {HELD} predicted)")
    print(
        f"{'model':<12} {'classes':>8} {'train rows/cpu-s':>17} {'predict rows/cpu-s':>19} {'peak RSS MB':>12}"
    )
    for (model, classes), r in runs.items():
        print(
            f"{model:<12} {classes:>8} {r['train_rows_per_cpu_s']:>17,.0f} "
            f"{r['predict_rows_per_cpu_s']:>19,.0f} {r['peak_rss_mb']:>12,.0f}"
        )
    svm = runs[("svm", 100)]
    print(
        f"svm at 4000 classes not run: its weights alone would take "
        f"{4000 * svm['features'] * 8 / 2**20:,.0f} MB ({svm['features']:,} features x 4000 x 8 bytes)"
    )
    growth = (
        runs[("neighbours", 100)]["train_rows_per_cpu_s"] / runs[("neighbours", 4000)]["train_rows_per_cpu_s"]
    )
    svm_growth = runs[("svm", 100)]["train_rows_per_cpu_s"] / runs[("svm", 400)]["train_rows_per_cpu_s"]
    print(
        f"training slow-down: neighbours 100 -> 4000 classes {growth:.2f}x; svm 100 -> 400 classes {svm_growth:.2f}x"
    )
    assert growth < 2.0
