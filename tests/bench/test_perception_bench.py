"""Perception benchmark: training time on 10k examples and batch prediction throughput on one core.

Run with ``make bench``. Targets (from the perception issue): training on 10k examples well under
a minute on 2 cores; >= 5,000 short texts per second on one core with batch prediction.
The default model (n-grams + the dense embedding member) is compared with the n-gram-only model
(`OfflineSettings(embedding=None)`, what agents use) trained and timed in the same run.
"""

from __future__ import annotations

import importlib.util
import os
import time
from pathlib import Path

from threadpoolctl import threadpool_limits

from agents.perception.datasets import load_labelled_csv
from agents.perception.offline import OfflineTextClassifier
from agents.perception.offline_state import OfflineSettings

ROOT = Path(__file__).resolve().parents[2]
TRAIN_TARGET_S = 60.0
PREDICT_TARGET_PER_S = 5_000.0


def _generate_10k(out: Path) -> Path:
    spec = importlib.util.spec_from_file_location(
        "perception_fixture_generator", ROOT / "fixtures/perception/generate.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.generate(out, seed=7, train_per_label=1250, test_per_label=150, oos_rows=0)
    return out / "it_service_desk_train.csv"


def _train_and_predict(
    settings: OfflineSettings, texts: tuple[str, ...], labels: tuple[str, ...], batch: list[str]
) -> tuple[OfflineTextClassifier, float, float, float, int]:
    """(model, training wall s, prediction wall s, prediction CPU s on one core, predictions)."""
    started = time.perf_counter()
    classifier = OfflineTextClassifier(settings).fit(texts, labels)
    train_s = time.perf_counter() - started  # wall clock: training may use both cores
    with threadpool_limits(limits=1):
        classifier.predict_many(batch[:500])  # warm-up
        started, cpu_started = time.perf_counter(), time.process_time()
        predictions = classifier.predict_many(batch)
        predict_s, predict_cpu_s = time.perf_counter() - started, time.process_time() - cpu_started
    return classifier, train_s, predict_s, predict_cpu_s, len(predictions)


def test_perception_bench(tmp_path: Path) -> None:
    data = load_labelled_csv(_generate_10k(tmp_path))
    assert len(data) == 10_000
    short_texts = [t for t in load_labelled_csv(ROOT / "fixtures/perception/it_service_desk_test.csv").texts]
    batch = (short_texts * (10_000 // len(short_texts) + 1))[:10_000]
    _, sparse_train_s, _, sparse_cpu_s, _ = _train_and_predict(
        OfflineSettings(embedding=None), data.texts, data.labels, batch
    )
    classifier, train_s, predict_s, predict_cpu_s, predicted = _train_and_predict(
        OfflineSettings(), data.texts, data.labels, batch
    )
    # CPU time of a single-threaded run is what one dedicated core needs; wall time also counts
    # waiting for a core when the machine is busy (both are printed, the target is checked on CPU)
    per_second = len(batch) / predict_cpu_s
    per_second_wall = len(batch) / predict_s
    mean_chars = sum(map(len, batch)) / len(batch)

    path = classifier.save(tmp_path / "model")
    started = time.perf_counter()
    OfflineTextClassifier.load(path)
    load_s = time.perf_counter() - started

    rows = [
        (
            "train 10k examples (s)",
            f"{train_s:.2f}",
            f"< {TRAIN_TARGET_S:.0f}",
            f"{TRAIN_TARGET_S / train_s:.1f}x",
        ),
        (
            f"batch predict, 1 core (texts/s, {mean_chars:.0f} chars avg)",
            f"{per_second:,.0f}",
            f">= {PREDICT_TARGET_PER_S:,.0f}",
            f"{per_second / PREDICT_TARGET_PER_S:.1f}x",
        ),
        (
            "  same, wall clock (texts/s)",
            f"{per_second_wall:,.0f}",
            "-",
            f"load avg {os.getloadavg()[0]:.1f}",
        ),
        ("load model (s)", f"{load_s:.3f}", "-", f"{path.stat().st_size / 1e6:.1f} MB file"),
        (
            "  n-grams only: train 10k (s)",
            f"{sparse_train_s:.2f}",
            "-",
            f"default {train_s / sparse_train_s:.2f}x",
        ),
        (
            "  n-grams only: batch predict, 1 core (texts/s)",
            f"{len(batch) / sparse_cpu_s:,.0f}",
            "-",
            f"default {sparse_cpu_s / predict_cpu_s:.2f}x",
        ),
    ]
    print(f"\nperception bench (cpus available: {os.cpu_count()})")
    print(f"{'measure':<48} {'value':>10} {'target':>10} {'ratio':>14}")
    for name, value, target, ratio in rows:
        print(f"{name:<48} {value:>10} {target:>10} {ratio:>14}")
    assert predicted == len(batch)
    # Timing is reported against its target, not asserted: the machine is shared and loads vary.
    print(
        f"training target: {'met' if train_s < TRAIN_TARGET_S else 'MISSED'}; "
        f"prediction target: {'met' if per_second >= PREDICT_TARGET_PER_S else 'MISSED'}"
    )
