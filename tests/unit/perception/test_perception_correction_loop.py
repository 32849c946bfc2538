"""The correction loop end to end: 50 corrections -> retrain -> shadow -> promote, with ledger records."""

from __future__ import annotations

from pathlib import Path

import pytest

from agents.perception.datasets import LabelledData, load_labelled_csv
from agents.perception.model_registry import ModelRegistry, ModelRegistryError
from governance.ledger import Ledger
from governance.store import Store

ROOT = Path(__file__).resolve().parents[3]
BASE = ROOT / "fixtures/perception/it_service_desk_train.csv"

# German wording the English-trained model has never seen, corrected by agents in the console
CORRECTED = [
    ("Passwort vergessen, bitte zurücksetzen", "password_reset"),
    ("Ich habe mein Kennwort vergessen", "password_reset"),
    ("Kennwort abgelaufen, neues Kennwort bitte", "password_reset"),
    ("Konto gesperrt nach zu vielen Versuchen", "account_unlock"),
    ("Mein Benutzerkonto ist gesperrt, bitte entsperren", "account_unlock"),
    ("Bildschirm flackert und Lüfter laut", "hardware"),
    ("Tastatur defekt, Tasten fehlen", "hardware"),
    ("Drucker druckt nur leere Seiten", "hardware"),
    ("Wie viele Urlaubstage habe ich noch", "hr_policy_question"),
    ("Wann wird das Gehalt überwiesen", "hr_policy_question"),
]


def _base() -> LabelledData:
    data = load_labelled_csv(BASE)
    return LabelledData(data.texts[:1500], data.labels[:1500], str(BASE))


def test_fifty_corrections_retrain_shadow_and_promote(tmp_path: Path) -> None:
    store = Store("sqlite://")
    try:
        ledger = Ledger(store)
        registry = ModelRegistry(tmp_path / "models", "service_desk")
        base = _base()
        first = registry.retrain(base)
        assert registry.status()["current"] == first
        for i in range(50):
            text, label = CORRECTED[i % len(CORRECTED)]
            registry.add_example(f"{text} (Ticket {i})", label, source="console" if i % 2 else "cli")
        assert len(registry.examples()) == 50

        with pytest.raises(ModelRegistryError):  # no candidate yet
            registry.promote(ledger, actor="lead@acme.example")
        second = registry.retrain(base)
        status = registry.status()
        assert (status["current"], status["candidate"]) == (first, second)
        versions = status["versions"]
        assert versions[second]["correction_rows"] == 50
        assert versions[first]["training_data_sha256"] != versions[second]["training_data_sha256"]

        # too little shadow traffic: refused, and the refusal is on the ledger
        refused = registry.promote(ledger, actor="lead@acme.example")
        assert not refused["promoted"] and registry.status()["current"] == first

        traffic = list(load_labelled_csv(BASE).texts[2000:2100])
        assert registry.shadow(traffic) == 100
        comparison = registry.compare()
        assert comparison.agreement is not None and comparison.agreement >= 0.8
        assert comparison.candidate_accuracy is not None and comparison.current_accuracy is not None
        assert comparison.candidate_accuracy > comparison.current_accuracy

        promoted = registry.promote(ledger, actor="lead@acme.example")
        assert promoted["promoted"], promoted
        assert registry.status()["current"] == second and registry.status()["candidate"] is None
        events = [(r.kind, r.payload["event"]) for r in ledger.timeline("models:service_desk")]
        assert events == [("note", "model_promotion_refused"), ("note", "model_promoted")]
        record = ledger.timeline("models:service_desk")[-1]
        assert record.payload["to_data_sha256"] == versions[second]["training_data_sha256"]
        assert ledger.verify().ok
    finally:
        store.dispose()


def test_a_candidate_that_learnt_nothing_is_not_promoted(tmp_path: Path) -> None:
    store = Store("sqlite://")
    try:
        ledger = Ledger(store)
        registry = ModelRegistry(tmp_path / "models", "intake")
        base = _base()
        registry.retrain(base)
        for text, label in zip(base.texts[:30], base.labels[:30], strict=True):
            registry.add_example(text, label, source="replay")  # already right: nothing to learn
        registry.retrain(base)
        registry.shadow(list(base.texts[100:130]))
        result = registry.promote(ledger, actor="lead@acme.example")
        assert not result["promoted"] and any("does not beat" in r for r in result["reasons"])
    finally:
        store.dispose()


def test_blank_corrections_are_refused(tmp_path: Path) -> None:
    registry = ModelRegistry(tmp_path, "service_desk")
    with pytest.raises(ModelRegistryError, match="text and the right label"):
        registry.add_example("  ", "hardware", source="cli")
    with pytest.raises(ModelRegistryError):
        ModelRegistry(tmp_path, "../etc")


def test_models_cli_correct_retrain_shadow_status_promote(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import csv
    import json

    from typer.testing import CliRunner

    from opspack.cli import app

    monkeypatch.setenv("OPSPACK_DATABASE_URL", f"sqlite:///{tmp_path / 'ledger.db'}")
    runner = CliRunner()
    root = ["--root", str(tmp_path / "models")]
    base = tmp_path / "base.csv"
    data = _base()
    with base.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label"])
        writer.writerows(zip(data.texts, data.labels, strict=True))
    assert (
        runner.invoke(app, ["models", "retrain", "service_desk", "--data", str(base), *root]).exit_code == 0
    )
    for i in range(50):
        text, label = CORRECTED[i % len(CORRECTED)]
        args = ["models", "correct", "service_desk", "--text", f"{text} #{i}", "--label", label, *root]
        assert runner.invoke(app, args).exit_code == 0
    retrained = runner.invoke(
        app, ["models", "retrain", "service_desk", "--data", str(base), *root, "--json"]
    )
    assert retrained.exit_code == 0, retrained.output
    assert json.loads(retrained.stdout)["candidate"] == "v0002"
    traffic = tmp_path / "traffic.csv"
    traffic.write_text("text\n" + "\n".join(t.replace(",", " ").replace("\n", " ") for t in data.texts[:60]))
    shadowed = runner.invoke(app, ["models", "shadow", "service_desk", "--texts", str(traffic), *root])
    assert "shadowed 60 texts" in shadowed.output
    status = json.loads(runner.invoke(app, ["models", "status", "service_desk", *root, "--json"]).stdout)
    assert status["comparison"]["shadow_rows"] == 60
    promoted = runner.invoke(
        app, ["models", "promote", "service_desk", "--actor", "lead@acme.example", *root, "--json"]
    )
    assert promoted.exit_code == 0, promoted.output
    assert json.loads(promoted.stdout)["to_version"] == "v0002"
    missing = runner.invoke(app, ["models", "promote", "service_desk", "--actor", "lead", *root])
    assert missing.exit_code == 1 and "no candidate" in missing.output


def test_the_service_desk_classifies_with_the_promoted_model(tmp_path: Path) -> None:
    from agents.service_desk.config import load_config
    from agents.service_desk.understanding import understand

    config = load_config()
    registry = ModelRegistry(tmp_path / "models", "service_desk")
    desk_history = load_labelled_csv(config.training_data)
    registry.retrain(desk_history)  # v0001 becomes current at once
    text = "Kennwort abgelaufen, neues Kennwort bitte"
    for i in range(12):
        registry.add_example(f"{text} {i}", "password_reset", source="console")
    registry.add_example("Passwort vergessen bitte zurücksetzen", "password_reset", source="console")
    without = understand(text, config, 0.85)
    registry.retrain(desk_history)
    store = Store("sqlite://")
    try:
        registry.shadow(list(desk_history.texts[:40]))
        assert registry.promote(Ledger(store), actor="lead@acme.example")["promoted"]
    finally:
        store.dispose()
    with_registry = understand(text, config.model_copy(update={"models": tmp_path / "models"}), 0.85)
    assert with_registry.label == "password_reset"
    assert with_registry.confidence > without.confidence or without.label != "password_reset"
