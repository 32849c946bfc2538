"""A person says what a text was really about: a ledger correction and a training example.

The agents that classify text (the service desk's category, intake's intent) record what they
decided on the ledger: the text's subject on the ``intake`` record (and the classified text itself
on the ``perception`` record where the agent keeps it), the label on the ``decision`` record.
When a person corrects the label -- in the console, with `opspack models correct`, or because a
replay showed the agent wrong -- two things are written:

* a ledger ``correction`` record against the agent's decision (root cause ``misclassified``), so
  the mistake counts against the agent's error rate like any other correction;
* a labelled example in the agent's `ModelRegistry`, so ``opspack models retrain AGENT`` learns it.

Replays do not run on the production ledger, so their corrections are examples only
(`examples_from_replay`), with the replay case as their source.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from agents.perception.model_registry import ModelRegistry, ModelRegistryError
from governance.corrections import Corrections
from governance.ledger import Ledger, LedgerRecord

LABEL_FIELDS = ("category", "intent")
"""Decision payload fields that hold the classifier's label, per agent kind."""
ROOT_CAUSE = "misclassified"


@dataclass(frozen=True)
class LabelCorrection:
    agent: str
    transaction_id: str
    text: str
    was: str | None
    """What the agent decided (None when its decision held no label)."""
    label: str
    source: str
    correction_id: str | None = None
    """The ledger ``correction`` record (None for replay examples)."""


def classified_text(records: Sequence[LedgerRecord]) -> str | None:
    """The text the agent classified, as far as the ledger keeps it (None when it keeps none)."""
    for kind, key in (("perception", "text"), ("intake", "subject")):
        for record in reversed(records):
            value = record.payload.get(key) if record.kind == kind else None
            if isinstance(value, str) and value.strip():
                return value.strip()
    return None


def decided_label(decision: LedgerRecord) -> str | None:
    for key in LABEL_FIELDS:
        value = decision.payload.get(key)
        if isinstance(value, str) and value:
            return value
    return None


def correct_label(
    ledger: Ledger, models: Path, transaction_id: str, label: str, *, actor: str, source: str
) -> LabelCorrection:
    """Record that the transaction's text is about `label`; raises `ModelRegistryError` when the
    transaction has no agent decision or no text to learn from."""
    label = label.strip()
    if not label:
        raise ModelRegistryError("a label correction needs the right label")
    records = list(ledger.records(transaction_id))
    decisions = [r for r in records if r.kind == "decision" and r.agent]
    if not decisions:
        raise ModelRegistryError(f"transaction {transaction_id} has no agent decision to correct")
    decision = decisions[-1]
    text = classified_text(records)
    if text is None:
        raise ModelRegistryError(f"transaction {transaction_id} keeps no text on the ledger to learn from")
    agent = str(decision.agent)
    registry = ModelRegistry(models, agent)  # validates the agent name before anything is written
    was = decided_label(decision)
    correction = (
        Corrections(ledger)
        .add_correction(
            decision.id,
            reason=f"the text is about {label!r}, not {was!r}",
            root_cause=ROOT_CAUSE,
            actor=actor,
        )
        .correction
    )
    registry.add_example(text, label, source=f"{source}:{transaction_id}")
    return LabelCorrection(agent, transaction_id, text, was, label, source, correction.id)


def examples_from_replay(
    registry: ModelRegistry, cases: Iterable[tuple[str, str, str, str | None]], *, source: str = "replay"
) -> list[LabelCorrection]:
    """Record (case id, text, expected label, agent's label) rows the agent got wrong as examples.

    Rows whose expected label is blank or that the agent got right teach nothing new and are left out."""
    recorded = []
    for case_id, text, expected, said in cases:
        if not expected.strip() or not text.strip() or said == expected:
            continue
        registry.add_example(text, expected, source=f"{source}:{case_id}")
        recorded.append(LabelCorrection(registry.agent, case_id, text, said, expected, source))
    return recorded


def learn_from_replay(
    models: Path, agent: str, rows: Iterable[tuple[str, str, str, str | None]]
) -> list[LabelCorrection]:
    """`examples_from_replay` into `agent`'s registry under `models` (the replay commands' --learn-into)."""
    return examples_from_replay(ModelRegistry(models, agent), rows)
