"""The agent core: proposed actions, the kind -> connection map, outcome readings, plans as recorded."""

from __future__ import annotations

from decimal import Decimal

import pytest

from agents.ap.plan import APPlan
from agents.core import Connections, Plan, ProposedAction, Submitted, UnknownSystemKind
from governance.action import Action
from governance.runtime import Outcome, OutcomeStatus

CONNECTIONS = Connections.of(erp="sap", itsm="servicenow", directory="okta")


def test_a_proposed_action_gets_the_agent_and_the_connection_of_its_kind() -> None:
    proposed = ProposedAction(
        operation="itsm.comment", target="INC1", params={"body": "hello"}, business_key="t:comment"
    )
    action = proposed.to_action("service_desk", CONNECTIONS)
    assert action == Action(
        agent="service_desk",
        system="servicenow",
        operation="itsm.comment",
        target="INC1",
        params={"body": "hello"},
        business_key="t:comment",
    )


def test_an_explicit_kind_wins_over_the_operation_prefix() -> None:
    proposed = ProposedAction(
        kind="directory", operation="directory.unlock", target="jsmith", business_key="t:unlock"
    )
    assert proposed.to_action("service_desk", CONNECTIONS).system == "okta"
    assert proposed.system_kind == "directory"


def test_a_kind_without_a_connection_is_refused_by_name() -> None:
    proposed = ProposedAction(operation="crm.comment", target="C1", business_key="k")
    with pytest.raises(UnknownSystemKind, match=r"'crm'.*directory, erp, itsm"):
        proposed.to_action("intake", CONNECTIONS)


def _submitted(status: OutcomeStatus, document_id: str | None = None) -> Submitted:
    action = ProposedAction(operation="itsm.comment", target="INC1", business_key="k").to_action(
        "a", CONNECTIONS
    )
    return Submitted(action, Outcome(status, document_id=document_id))


def test_the_outcome_readings() -> None:
    assert _submitted("executed", "D1").landed and _submitted("executed", "D1").done
    assert _submitted("executed").done and not _submitted("executed").landed
    assert _submitted("duplicate", "D1").landed and not _submitted("duplicate", "D1").elsewhere
    assert _submitted("duplicate").elsewhere and _submitted("duplicate").done
    assert _submitted("held").held and not _submitted("held").done
    assert _submitted("shadowed").shadowed and not _submitted("shadowed").done
    assert [_submitted(s).stop_reason for s in ("denied", "failed", "unknown", "held")] == [
        "action_denied",
        "action_failed",
        "action_unknown",
        "action_failed",
    ]


def test_a_plan_records_only_the_fields_it_was_given() -> None:
    plan = Plan(kind="escalate", reasons=("not_mine",), rule="r")
    assert plan.ledger_form() == {"kind": "escalate", "reasons": ["not_mine"], "rule": "r"}
    assert Plan.model_validate(plan.ledger_form()) == plan


def test_an_ap_plan_reads_back_the_dict_plans_earlier_versions_recorded() -> None:
    post = Action(
        agent="ap_clerk",
        system="sap",
        operation="erp.hold_invoice",
        target="5100000001",
        params={"reason": "price", "reason_codes": ["price_variance"], "vendor_id": "V1"},
        business_key="ap-invoice:V1:INV-1:hold",
    )
    recorded = {
        "kind": "post_and_hold",
        "outcome": "hold",
        "reasons": ["price_variance"],
        "rule": "match.price",
        "route": {"queue": "buyers", "sla_hours": 48},
        "post": post.model_dump(mode="json"),
        "hold_reason": "price",
        "payment_date": "2026-01-31",
        "vendor_id": "V1",
        "reference": "INV-1",
        "amount": "100.00",
        "currency": "EUR",
        "bank_accounts": ["DE02120300000000202051"],
    }
    plan = APPlan.model_validate(recorded)
    assert plan.posting() == post
    assert plan.ledger_form() == recorded
    assert plan.model_copy(update={"rule": "governance.post_failed"}).ledger_form() == {
        **recorded,
        "rule": "governance.post_failed",
    }
    assert "actions" not in plan.ledger_form() and plan.amount == str(Decimal("100.00"))
