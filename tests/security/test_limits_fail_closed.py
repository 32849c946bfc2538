"""Hole 4: limits and segregation of duties fail closed.

Before the fix a payment of -40,000 passed the cap and lowered the running total (after which
10 x 9,000 to one vendor all executed against a 50,000/day cap); with no counterparty the aggregate
was skipped (7 x 9,000 executed); and `V300`, `v300`, `V300 ` and `V300` + zero-width space were
four buckets and four SoD identities. Every test here fails on that code.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from governance.action import Action
from governance.context import running_totals
from governance.errors import ApprovalError
from governance.gate import Context, Decision, Reason, evaluate, required_aggregates
from governance.operations import canonical_key
from governance.policy import parse_policy
from governance.store import Store

from .governed_erp import NOW, GovernedERP, example_policy, schedule_payment

POLICY = example_policy()
SPELLINGS = ["V300", "v300", "V300 ", "V300\u200b", " v300\u200b", "\uff36300"]  # the last: full-width V


@pytest.fixture
def world(sqlite_url: str) -> GovernedERP:
    governed = GovernedERP(Store(sqlite_url))
    for spelling in SPELLINGS:
        governed.vendor(spelling)
    return governed


def codes(outcome: Any) -> list[str]:
    return [reason.code.value for reason in outcome.reasons]


def test_a_negative_payment_is_denied_and_lowers_nothing(world: GovernedERP) -> None:
    invoice = world.posted_invoice("-40000.00")
    outcome = world.submit(schedule_payment(invoice.id, "-40000.00"))
    assert outcome.status == "denied" and codes(outcome) == [Reason.NON_POSITIVE_AMOUNT.value]
    assert world.erp.payments == []
    zero = world.posted_invoice("0.00")
    assert codes(world.submit(schedule_payment(zero.id, "0.00"))) == [Reason.NON_POSITIVE_AMOUNT.value]


def test_ten_payments_of_9000_stop_at_the_50000_daily_cap(world: GovernedERP) -> None:
    negative = world.posted_invoice("-40000.00")
    world.submit(schedule_payment(negative.id, "-40000.00"))
    statuses = []
    for _ in range(10):
        invoice = world.posted_invoice("9000.00")
        statuses.append(world.submit(schedule_payment(invoice.id, "9000.00")).status)
    assert statuses[:5] == ["executed"] * 5  # 45,000
    assert set(statuses[5:]) == {"held"}  # a sixth would reach 54,000
    assert sum(p.amount for p in world.erp.payments) == Decimal("45000.00")


def test_no_counterparty_holds_instead_of_skipping_the_aggregate(world: GovernedERP) -> None:
    statuses = []
    for _ in range(7):
        invoice = world.posted_invoice("9000.00")
        outcome = world.submit(schedule_payment(invoice.id, "9000.00", vendor_id=""))
        statuses.append((outcome.status, codes(outcome)))
    assert {status for status, _ in statuses} == {"held"}
    assert all(Reason.AGGREGATE_KEY_MISSING.value in found for _, found in statuses)
    assert world.erp.payments == []


def test_credits_keep_their_own_caps_on_the_absolute_value() -> None:
    def credit(amount: str) -> Action:
        memo = {"customer_id": "C1", "currency": "EUR", "amount": amount, "reason": "goodwill"}
        return Action(
            agent="customer_intake",
            system="sap",
            operation="erp.create_credit_memo",
            target="SO-1",
            params={"credit_memo": memo},
            business_key=f"credit:{amount}",
        )

    context = Context(POLICY, NOW)
    assert evaluate(credit("80.00"), context).decision is Decision.EXECUTE
    assert Reason.OVER_THRESHOLD.value in evaluate(credit("-150.00"), context).codes
    assert evaluate(credit("-6000.00"), context).codes[0] == Reason.HARD_LIMIT.value
    assert evaluate(credit("0"), context).codes == [Reason.NON_POSITIVE_AMOUNT.value]


def test_key_spellings_are_one_aggregate_bucket(world: GovernedERP) -> None:
    statuses = []
    for spelling in SPELLINGS:
        invoice = world.posted_invoice("9000.00", vendor_id=spelling)
        statuses.append(world.submit(schedule_payment(invoice.id, "9000.00", vendor_id=spelling)).status)
    assert statuses == ["executed"] * 5 + ["held"]


def test_key_spellings_are_one_segregation_of_duties_identity(world: GovernedERP) -> None:
    """Alice approved a bank change for `v300 ` + ZWSP; she cannot approve a payment to `V300`."""
    policy = POLICY.model_dump(mode="json")
    policy["agents"]["ap_clerk"]["systems"]["sap"].append("erp.update_vendor")
    world.policy = parse_policy(policy)
    world.__post_init__()
    change = Action(
        agent="ap_clerk",
        system="sap",
        operation="erp.update_vendor",
        target=" v300\u200b",
        params={"bank_account": {"iban": "GB33BUKB20201555555555"}},
        business_key="bank-change:v300",
    )
    held = world.submit(change)
    assert held.status == "held" and held.approval_id is not None
    world.governor.approve(held.approval_id, "alice", "called the vendor back")
    invoice = world.posted_invoice("30000.00", vendor_id="V300")
    payment = world.submit(schedule_payment(invoice.id, "30000.00", vendor_id="V300"))
    assert payment.status == "held" and payment.approval_id is not None
    with pytest.raises(ApprovalError, match="bank_change_blocks_payment_approval"):
        world.governor.approve(payment.approval_id, "alice", "looks fine")
    assert world.governor.approve(payment.approval_id, "bob", "checked").status == "executed"


# -- property: no spelling splits a bucket ------------------------------------------------------

invisible = st.sampled_from(["", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"])
spaces = st.sampled_from(["", " ", "  ", "\t", "\u00a0", "\u3000"])


@st.composite
def spelling(draw: st.DrawFn, key: str) -> str:
    out = draw(spaces)
    for char in key:
        variant = draw(st.sampled_from([char, char.lower(), char.upper(), char.casefold()]))
        if char.isalnum() and draw(st.booleans()):
            variant = chr(ord(variant) + 0xFEE0) if variant.isascii() and variant.isalnum() else variant
        out += variant + draw(invisible)
    return out + draw(spaces)


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_random_spellings_never_split_a_bucket(data: st.DataObject) -> None:
    key = data.draw(st.sampled_from(["V300", "ACME GmbH", "cust-10001", "Müller AG"]))
    a, b = data.draw(spelling(key)), data.draw(spelling(key))
    assert canonical_key(a) == canonical_key(b) == canonical_key(key)
    keys_a = required_aggregates(schedule_payment("I", "1", vendor_id=a), POLICY, NOW)
    keys_b = required_aggregates(schedule_payment("I", "1", vendor_id=b), POLICY, NOW)
    assert keys_a == keys_b


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_random_spellings_add_up_in_the_store(
    tmp_path_factory: pytest.TempPathFactory, data: st.DataObject
) -> None:
    world = GovernedERP(Store(f"sqlite:///{Path(tmp_path_factory.mktemp('spell')) / 'db.sqlite'}"))
    names = [data.draw(spelling("V300")) for _ in range(3)]
    for name in names:
        world.vendor(name)
        invoice = world.posted_invoice("100.00", vendor_id=name)
        assert world.submit(schedule_payment(invoice.id, "100.00", vendor_id=name)).status == "executed"
    action = schedule_payment("X", "1.00", vendor_id="V300")
    with world.store.connect() as connection:
        totals = running_totals(connection, required_aggregates(action, POLICY, NOW))
    daily = next(value for key, value in totals.items() if key.name == "payments_per_vendor_per_day")
    assert daily == Decimal("300.00")
