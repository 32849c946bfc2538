"""Per agent, on held-out data: are its classifier's confidences meaningful?

Among held-out predictions at or above the agent's own threshold (the policy's for the service
desk, the catalogue's for intake), the share that is right must be at least the threshold, and
text unlike the training data -- the hand-written tickets in other companies' styles that need a
person -- must get lower confidence than held-out text like the training data, and reach the
threshold less often.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from perception_support import dataset

from agents.intake.config import load_config as load_intake_config
from agents.perception.agent_reliability import AgentReliability, measure
from agents.perception.trained import classifier_for
from agents.service_desk.config import load_config as load_desk_config
from agents.service_desk.wiring import DEFAULT_POLICY
from governance.policy import load_policy

SUITE = Path(__file__).resolve().parents[3] / "fixtures" / "service_desk" / "tickets_need_a_person.txt"


def other_companies_tickets() -> list[str]:
    rows = [line.split("|") for line in SUITE.read_text(encoding="utf-8").splitlines()]
    return [f"{subject.strip()}\n{body.strip()}" for _, subject, body in (r for r in rows if len(r) == 3)]


@pytest.fixture(scope="module")
def service_desk() -> AgentReliability:
    threshold = load_policy(DEFAULT_POLICY).agent("service_desk").confidence_threshold
    model = classifier_for(load_desk_config().training_data)
    return measure(
        "service_desk", model, dataset("it_service_desk", "test"), threshold, other_companies_tickets()
    )


@pytest.fixture(scope="module")
def intake() -> AgentReliability:
    config = load_intake_config()
    model = classifier_for(config.training_data)
    return measure(
        "customer_intake",
        model,
        dataset("customer_intents", "test"),
        config.confidence_threshold,
        other_companies_tickets(),
    )


@pytest.mark.parametrize("agent", ["service_desk", "intake"])
def test_predictions_at_the_threshold_are_right_at_least_as_often_as_it_says(
    agent: str, request: pytest.FixtureRequest
) -> None:
    figures: AgentReliability = request.getfixturevalue(agent)
    assert figures.held_out_rows > 1000
    assert figures.auto_precision is not None and figures.auto_precision >= figures.threshold, (
        figures.as_dict()
    )
    assert figures.auto_share > 0.5, figures.as_dict()  # and the threshold still lets work through
    assert figures.meaningful


@pytest.mark.parametrize("agent", ["service_desk", "intake"])
def test_text_unlike_the_training_data_is_less_confident(agent: str, request: pytest.FixtureRequest) -> None:
    figures: AgentReliability = request.getfixturevalue(agent)
    assert figures.unfamiliar_rows >= 200
    assert figures.unfamiliar_mean_confidence is not None and figures.unfamiliar_auto_share is not None
    assert figures.unfamiliar_mean_confidence < figures.mean_confidence, figures.as_dict()
    assert figures.unfamiliar_auto_share < figures.auto_share, figures.as_dict()


def test_the_figures_read_as_a_report(service_desk: AgentReliability) -> None:
    report = service_desk.as_dict()
    assert report["agent"] == "service_desk" and report["meaningful"] is True
    assert sum(row["count"] for row in report["table"]) == service_desk.held_out_rows
