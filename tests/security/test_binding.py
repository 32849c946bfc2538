"""Hole 1: the judged amount binds the write.

Before the fix, the gate judged a free-standing `Action.amount` while `perform_post_invoice` booked
the draft as given and `perform_schedule_payment` paid whatever the ERP invoice said: an action
declaring 100 EUR whose invoice draft said 200,000 EUR was posted and paid without approval, and
the ledger did not say what was paid. Each test here fails on that code.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from governance.action import Action
from governance.errors import ApprovalError
from governance.gate import Context, Decision, Reason, evaluate
from governance.ledger import Ledger
from governance.store import Store
from opspack.console.edits import edited_action

from .governed_erp import (
    IBAN,
    NOW,
    GovernedERP,
    example_policy,
    invoice_draft,
    post_invoice,
    schedule_payment,
)

POLICY = example_policy()


@pytest.fixture
def world(sqlite_url: str) -> GovernedERP:
    governed = GovernedERP(Store(sqlite_url))
    governed.vendor("V300")
    return governed


def test_an_action_cannot_declare_100_eur_for_a_200000_eur_draft() -> None:
    with pytest.raises(ValidationError, match=r"amount 100 disagrees with what is written \(200000.00\)"):
        post_invoice(invoice_draft("200000.00"), amount=Decimal("100"), currency="EUR", counterparty="V300")
    with pytest.raises(ValidationError, match="counterparty 'V999' disagrees"):
        post_invoice(invoice_draft("100.00"), counterparty="V999")
    with pytest.raises(ValidationError, match="currency 'USD' disagrees"):
        post_invoice(invoice_draft("100.00"), currency="USD")


def test_the_gate_judges_the_draft_amount_and_nothing_is_posted_without_approval(world: GovernedERP) -> None:
    action = post_invoice(invoice_draft("200000.00"))
    assert action.amount == Decimal("200000.00")
    outcome = world.submit(action)
    assert outcome.status == "held" and Reason.OVER_THRESHOLD.value in [r.code.value for r in outcome.reasons]
    assert world.erp.invoices == [] and world.erp.payments == []


def test_an_action_built_without_validation_is_denied_for_the_mismatch(world: GovernedERP) -> None:
    honest = post_invoice(invoice_draft("200000.00"))
    forged = Action.model_construct(**(honest.__dict__ | {"amount": Decimal("100")}))
    verdict = evaluate(forged, Context(POLICY, world.now))
    assert verdict.decision is Decision.DENY and verdict.codes == [Reason.BINDING_MISMATCH.value]
    assert world.submit(forged).status == "denied"
    assert world.erp.invoices == []


def test_a_payment_judged_at_100_never_pays_a_200000_invoice(world: GovernedERP) -> None:
    invoice = world.posted_invoice("200000.00")
    outcome = world.submit(schedule_payment(invoice.id, "100.00"))
    assert (
        outcome.verdict is not None and outcome.verdict.decision is Decision.EXECUTE
    )  # 100 EUR is in the cap
    assert outcome.status == "failed"
    assert "amount 200000.00 where 100.00 was judged" in outcome.message and "refusing" in outcome.message
    assert world.erp.payments == []


@pytest.mark.parametrize(
    ("in_erp", "change", "message"),
    [
        ({"currency": "USD"}, {}, "currency USD where EUR was judged"),
        ({"vendor_id": "V301"}, {}, "counterparty V301 where V300 was judged"),
        ({}, {"bank_accounts": ("DE02120300000000202051",)}, "bank accounts are"),
    ],
)
def test_a_payment_is_refused_on_any_other_mismatch(
    world: GovernedERP, in_erp: dict[str, str], change: dict[str, object], message: str
) -> None:
    world.vendor("V301")
    invoice = world.posted_invoice("900.00", **in_erp)
    outcome = world.submit(schedule_payment(invoice.id, "900.00", **change))  # type: ignore[arg-type]
    assert outcome.status == "failed" and message in outcome.message
    assert world.erp.payments == []


def test_a_bank_change_after_the_judgement_stops_the_payment(world: GovernedERP) -> None:
    invoice = world.posted_invoice("900.00")
    action = schedule_payment(invoice.id, "900.00")
    world.vendor("V300", iban="GB33BUKB20201555555555")  # the master changed after the decision
    outcome = world.submit(action)
    assert outcome.status == "failed" and "GB33BUKB20201555555555" in outcome.message
    assert world.erp.payments == []


def test_the_ledger_names_what_was_actually_paid(world: GovernedERP) -> None:
    invoice = world.posted_invoice("900.00")
    outcome = world.submit(schedule_payment(invoice.id, "900.00"), "tx-pay")
    assert outcome.status == "executed"
    record = Ledger(world.store).records("tx-pay", kind="execution_outcome")[-1].payload
    paid = world.erp.payments[0]
    assert record["judged"] == {"amount": "900.00", "currency": "EUR", "counterparty": "V300"}
    assert record["written"] == {
        "amount": "900.00",
        "currency": "EUR",
        "counterparty": "V300",
        "document_ids": [paid.id, invoice.id],
    }


def test_a_write_that_differs_after_the_fact_is_escalated(world: GovernedERP) -> None:
    invoice = world.posted_invoice("900.00")
    real_schedule = world.erp.schedule_payment

    def pay_more(invoice_id: str, *, payment_date: object) -> object:
        # the invoice changes between the performer's re-read and the ERP's own booking
        world.erp.add_invoice(invoice.model_copy(update={"gross_amount": Decimal("9000.00")}))
        return real_schedule(invoice_id, payment_date=payment_date)  # type: ignore[arg-type]

    world.erp.schedule_payment = pay_more  # type: ignore[assignment,method-assign]
    outcome = world.submit(schedule_payment(invoice.id, "900.00"), "tx-race")
    assert outcome.status == "executed"
    escalation = Ledger(world.store).records("tx-race", kind="escalation")[-1].payload
    assert escalation["reason"] == "written_differs_from_judged"
    assert "amount 9000.00 where 900.00 was judged" in escalation["message"]


def test_edit_and_approve_re_derives_the_judged_amount() -> None:
    original = post_invoice(invoice_draft("30000.00"))
    params = json.dumps({"invoice": invoice_draft("200000.00")})
    edited = edited_action(original, target="V300", amount="", params=params, editor="bob")
    assert edited.amount == Decimal("200000.00")
    assert evaluate(edited, Context(POLICY, NOW)).codes[0] == Reason.OVER_THRESHOLD.value
    with pytest.raises(ApprovalError, match="disagrees with what is written"):
        edited_action(original, target="V300", amount="30000.00", params=params, editor="bob")


# -- property: the executed write never exceeds what the gate judged ------------------------------

money = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("60000"), places=2)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    declared=money,
    in_erp=money,
    currency=st.sampled_from(["EUR", "USD"]),
    vendor=st.sampled_from(["V300", "V301"]),
    accounts=st.sampled_from([(IBAN,), ("GB33BUKB20201555555555",), ()]),
)
def test_executed_payments_are_exactly_what_was_judged(
    tmp_path: Path,
    declared: Decimal,
    in_erp: Decimal,
    currency: str,
    vendor: str,
    accounts: tuple[str, ...],
) -> None:
    world = _property_world(tmp_path)
    invoice = world.posted_invoice(str(in_erp))
    action = schedule_payment(
        invoice.id,
        str(declared),
        currency=currency,
        vendor_id=vendor,
        bank_accounts=accounts,
        key=invoice.id,
        declare=True,
    )
    outcome = world.submit(action)
    paid = [p for p in world.erp.payments if p.invoice_id == invoice.id]
    if paid:
        assert outcome.status == "executed"
        assert outcome.verdict is not None and outcome.verdict.decision is Decision.EXECUTE
        assert (paid[0].amount, paid[0].currency, paid[0].vendor_id) == (
            action.amount,
            action.currency,
            action.counterparty,
        )
    else:
        assert outcome.status in {"held", "denied", "failed"}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(declared=money | st.none(), drafted=money)
def test_posted_invoices_are_exactly_what_was_judged(
    tmp_path: Path, declared: Decimal | None, drafted: Decimal
) -> None:
    world = _property_world(tmp_path)
    world._invoices += 1
    draft = invoice_draft(str(drafted), reference=f"P-{world._invoices}")
    try:
        action = post_invoice(draft, amount=declared)
    except ValidationError:
        assert declared is not None and declared != drafted
        return
    outcome = world.submit(action)
    booked = world.erp.find_invoice("V300", draft["reference"])
    if booked is not None:
        assert outcome.verdict is not None and outcome.verdict.decision is Decision.EXECUTE
        assert booked.gross_amount == action.amount == drafted
    else:
        assert outcome.status == "held" and drafted > Decimal("25000")


_WORLDS: dict[Path, GovernedERP] = {}


def _property_world(tmp_path: Path) -> GovernedERP:
    """One database per test function (hypothesis re-enters the function many times)."""
    world = _WORLDS.get(tmp_path)
    if world is None:
        world = GovernedERP(Store(f"sqlite:///{tmp_path / 'binding.db'}"))
        world.vendor("V300")
        world.vendor("V301")
        _WORLDS[tmp_path] = world
    return world
