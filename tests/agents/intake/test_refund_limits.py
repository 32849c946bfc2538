"""Property: whatever customers ask and whatever happened earlier in the month, no credit above
the policy limits is ever executed -- checked through the real Governor and the intake agent."""

from __future__ import annotations

import tempfile
from collections import defaultdict
from datetime import UTC, datetime
from decimal import Decimal

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from agents.intake.agent import IntakeOutcome
from agents.intake.wiring import DEFAULT_POLICY, IntakeStack
from connectors.erp import CreditMemo
from governance.policy import load_policy
from governance.store import Store

from .conftest import mail

POLICY = load_policy(DEFAULT_POLICY)
LIMITS = POLICY.agent("customer_intake")
PER_ACTION = LIMITS.thresholds["erp.create_credit_memo"].max_amount
PER_CUSTOMER_MONTH = next(a.limit for a in LIMITS.aggregates if a.name == "credits_per_customer_per_month")
NOW = datetime(2025, 10, 6, 12, 0, tzinfo=UTC)

# (sender, an invoiced EUR order of theirs with more than 400 EUR left to credit) for three
# standard-tier customers, so only the policy limits can stop a credit
CUSTOMERS = (
    ("Ada Andersen <ada.andersen0@acme.example>", "SO-100000", "CUST-10001"),
    ("Hiro Lindqvist <hiro.lindqvist1@globex.example>", "SO-100011", "CUST-10008"),
    ("Olga Walsh <olga.walsh2@initech.example>", "SO-100021", "CUST-10015"),
)


def agent_credits(stack: IntakeStack, customer: str) -> list[CreditMemo]:
    """The credit memos the agent booked in the ERP (not the sample's earlier ones)."""
    return [m for m in stack.erp.list_credit_memos(customer) if m.business_key.startswith("credit:")]


requests = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=len(CUSTOMERS) - 1),
        st.decimals(min_value=Decimal("0.01"), max_value=Decimal("400"), places=2),
    ),
    min_size=1,
    max_size=6,
)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(requests=requests)
@example(requests=[(0, Decimal("90")), (0, Decimal("90")), (0, Decimal("90")), (0, Decimal("60"))])
def test_executed_credits_never_exceed_policy_limits(requests: list[tuple[int, Decimal]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        store = Store(f"sqlite:///{folder}/p.db")
        stack = IntakeStack.build(
            store, policy=POLICY, clock=lambda: NOW, crm_system="salesforce", erp_system="sap"
        )
        for index, (who, amount) in enumerate(requests):
            sender, order, _ = CUSTOMERS[who]
            result = stack.agent.handle(
                mail(
                    f"Please refund {amount} EUR for order {order}, it arrived damaged.",
                    sender=sender,
                    message_id=f"p{index}@t",
                    date=f"Mon, 06 Oct 2025 0{index}:00:00 +0000",
                )
            )
            if result.outcome is IntakeOutcome.RESOLVED:
                assert ("erp.create_credit_memo", "executed") in result.actions
        per_customer: dict[str, Decimal] = defaultdict(Decimal)
        for _, _, customer in CUSTOMERS:
            for memo in agent_credits(stack, customer):
                assert memo.amount <= PER_ACTION
                per_customer[customer] += memo.amount
        assert all(total <= PER_CUSTOMER_MONTH for total in per_customer.values())
        store.dispose()


def test_a_third_credit_over_the_monthly_limit_waits_for_approval(sqlite_url: str) -> None:
    store = Store(sqlite_url)
    stack = IntakeStack.build(
        store, policy=POLICY, clock=lambda: NOW, crm_system="salesforce", erp_system="sap"
    )
    # a week and more apart, so the repeated-contact rule stays quiet; the month is the same
    days = (("01", "SO-100000"), ("09", "SO-100000"), ("17", "SO-100000"))
    results = [
        stack.agent.handle(
            mail(
                f"Please refund 90 EUR for order {order}, it arrived damaged.",
                message_id=f"q{i}@t",
                date=f"Wed, {day} Oct 2025 09:00:00 +0000",
            )
        )
        for i, (day, order) in enumerate(days)
    ]
    assert [r.outcome for r in results] == [
        IntakeOutcome.RESOLVED,
        IntakeOutcome.RESOLVED,
        IntakeOutcome.HELD,
    ]
    assert ("erp.create_credit_memo", "held") in results[2].actions
    assert sum(m.amount for m in agent_credits(stack, "CUST-10001")) == Decimal("180")
    store.dispose()
