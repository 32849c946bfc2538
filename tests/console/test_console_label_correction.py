"""The correction loop through its real entry points: labels corrected in the console and the
mistakes of a service desk replay become examples -> retrain -> shadow -> promote, on the ledger."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from conftest import Login, client_for, log_in, page_token
from console_world import World
from fastapi import FastAPI

from agents.perception.datasets import LabelledData, load_labelled_csv
from agents.perception.label_corrections import examples_from_replay
from agents.perception.model_registry import ModelRegistry
from agents.service_desk.config import load_config
from agents.service_desk.replay import replay
from agents.service_desk.scenarios import load_scenarios
from opspack.console.app import create_app

ROOT = Path(__file__).resolve().parents[2]
BASE = ROOT / "fixtures/perception/it_service_desk_train.csv"
SUITE = ROOT / "fixtures/scenarios/service_desk"
AGENT = "service_desk"

# German tickets the English-trained service desk read wrongly; an approver relabels each
GERMAN = [
    ("Passwort vergessen, bitte zurücksetzen", "password_reset"),
    ("Ich habe mein Kennwort vergessen", "password_reset"),
    ("Kennwort abgelaufen, neues Kennwort bitte", "password_reset"),
    ("Konto gesperrt nach zu vielen Versuchen", "account_unlock"),
    ("Mein Benutzerkonto ist gesperrt, bitte entsperren", "account_unlock"),
    ("Bildschirm flackert und Lüfter laut", "hardware"),
    ("Tastatur defekt, Tasten fehlen", "hardware"),
    ("Wie viele Urlaubstage habe ich noch", "hr_policy_question"),
]


@pytest.fixture
def models(tmp_path: Path) -> Path:
    return tmp_path / "models"


@pytest.fixture
def app(world: World, models: Path) -> FastAPI:
    return create_app(replace(world.settings, models_root=models))


def _base(rows: int) -> LabelledData:
    data = load_labelled_csv(BASE)
    return LabelledData(data.texts[:rows], data.labels[:rows], str(BASE))


def _service_desk_transaction(world: World, number: int, subject: str, said: str) -> str:
    """The records the service desk writes for a ticket it classified: intake and decision."""
    ledger, tx = world.governor.ledger, f"servicenow:INC{number:07d}:0"
    ledger.append(tx, "intake", {"ticket": f"INC{number:07d}", "subject": subject}, agent=AGENT)
    ledger.append(
        tx, "decision", {"resolve": False, "category": said, "reasons": ["low_confidence"]}, agent=AGENT
    )
    return tx


def test_console_and_replay_corrections_retrain_shadow_and_promote(
    login: Login, world: World, models: Path, app: FastAPI
) -> None:
    registry = ModelRegistry(models, AGENT)
    base = _base(250)
    first = registry.retrain(base)
    ledger = world.governor.ledger

    # 1. the console: a viewer sees no form; an approver relabels 30 transactions
    said = registry.model(first).predict_many([text for text, _ in GERMAN])
    transactions = [
        (_service_desk_transaction(world, i, f"{GERMAN[i % len(GERMAN)][0]} ({i})", said[i % len(GERMAN)].label),
         GERMAN[i % len(GERMAN)][1])
        for i in range(30)
    ]  # fmt: skip
    assert 'id="relabel"' not in login("victor").get(f"/transactions/{transactions[0][0]}").text
    alice = log_in(client_for(app), "alice")
    assert 'id="relabel"' in alice.get(f"/transactions/{transactions[0][0]}").text
    for tx, label in transactions:
        answer = alice.post(
            f"/transactions/{tx}/relabel",
            data={"label": label, "csrf_token": page_token(alice, f"/transactions/{tx}")},
            follow_redirects=False,
        )
        assert answer.status_code == 303, answer.text
        (correction,) = [r for r in ledger.records(tx) if r.kind == "correction"]
        assert correction.actor == "alice" and correction.agent == AGENT
        assert correction.payload["root_cause"] == "misclassified" and label in correction.payload["reason"]
    assert len(registry.examples()) == 30

    # a transaction without a classified text is refused and nothing is recorded
    ledger.append("manual-x", "decision", {"category": "hardware"}, agent=AGENT)
    refused = alice.post(
        "/transactions/manual-x/relabel",
        data={"label": "hardware", "csrf_token": page_token(alice, "/transactions/manual-x")},
    )
    assert refused.status_code == 409 and "keeps no text" in refused.text
    assert len(registry.examples()) == 30

    # 2. a replay with the current (small) model: its wrong categories become examples
    config = load_config().model_copy(update={"models": models})
    report = replay(load_scenarios(SUITE)[::6], config=config)
    rows = report.label_rows()
    wrong = [row for row in rows if row[3] != row[2]]
    assert rows and wrong, "the 250-row model should miss some categories of the suite"
    learned = examples_from_replay(registry, rows)
    assert [c.transaction_id for c in learned] == [row[0] for row in wrong]
    examples = registry.examples()
    assert len(examples) == 30 + len(wrong)

    # 3. retrain -> shadow -> promote, every switch on the ledger
    second = registry.retrain(base)
    assert registry.status()["versions"][second]["correction_rows"] == 30 + len(wrong)
    registry.shadow(list(load_labelled_csv(BASE).texts[2000:2060]))
    promoted = registry.promote(ledger, actor="alice")
    assert promoted["promoted"], promoted
    assert registry.current_version() == second
    (record,) = [r for r in ledger.timeline(f"models:{AGENT}") if r.payload["event"] == "model_promoted"]
    assert record.payload["to_data_sha256"] == registry.status()["versions"][second]["training_data_sha256"]
    assert ledger.verify().ok
