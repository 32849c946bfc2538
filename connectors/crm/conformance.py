"""The CRM conformance suite: every `CRMConnector` (fake or adapter + mock) must pass it.

Subclass `CRMConformance` in a test module and provide two fixtures:

    class TestMyCRM(CRMConformance):
        @pytest.fixture
        def connector(self) -> CRMConnector: ...        # a fresh, seeded connector per test
        @pytest.fixture
        def known(self) -> KnownCRMRecords: ...         # records the seed data is known to hold

The suite only writes through the Protocol, so it can also run against a sandbox org.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from connectors.crm.models import (
    Address,
    CaseOrigin,
    CasePriority,
    CaseStatus,
    CaseUpdate,
    ContactUpdate,
    NewCase,
    name_matches,
)
from connectors.crm.protocol import CRMConnector
from connectors.errors import ConflictError, NotFoundError, RejectedError


@dataclass(frozen=True)
class KnownCRMRecords:
    """Facts about the seed data the suite relies on."""

    account_number: str
    """An account that has at least one contact (`contact_email`) and at least one case."""
    account_name: str
    contact_email: str
    """A contact of that account."""
    contact_name: str
    case_number: str
    """A case of that account with at least one comment."""
    queue: str
    """A queue cases can be routed to."""
    other_queue: str
    missing_id: str
    """An id in the CRM's id format that no record has."""


class CRMConformance:
    """Behaviour every CRM connector shares. Each test gets a fresh connector."""

    @pytest.fixture
    def connector(self) -> CRMConnector:
        pytest.fail("subclasses of CRMConformance must provide a fresh, seeded `connector` fixture")

    @pytest.fixture
    def known(self) -> KnownCRMRecords:
        pytest.fail("subclasses of CRMConformance must provide the `known` records of their seed data")

    # Shape
    def test_is_a_crm_connector(self, connector: CRMConnector) -> None:
        assert isinstance(connector, CRMConnector)
        assert connector.kind == "crm"

    # Accounts
    def test_find_account_by_number(self, connector: CRMConnector, known: KnownCRMRecords) -> None:
        account = connector.find_account_by_number(known.account_number)
        assert account is not None
        assert account.account_number == known.account_number
        assert account.name == known.account_name
        assert connector.get_account(account.id) == account
        assert connector.find_account_by_number("NO-SUCH-ACCOUNT-999") is None

    def test_find_accounts_by_name_uses_word_prefixes(
        self, connector: CRMConnector, known: KnownCRMRecords
    ) -> None:
        first_word = known.account_name.split()[0]
        query = first_word[: max(3, len(first_word) - 1)].upper()
        found = connector.find_accounts_by_name(query)
        assert known.account_name in [a.name for a in found]
        assert all(name_matches(query, a.name) for a in found)
        assert [a.name for a in found] == sorted(a.name for a in found)
        assert connector.find_accounts_by_name("Zyxwvut Nonexistent") == []
        assert len(connector.find_accounts_by_name(first_word, limit=1)) == 1

    def test_find_account_by_contact_email(self, connector: CRMConnector, known: KnownCRMRecords) -> None:
        account = connector.find_account_by_email(known.contact_email.upper())
        assert account is not None and account.account_number == known.account_number
        assert connector.find_account_by_email("nobody@nowhere.invalid") is None

    def test_get_unknown_account_is_not_found(self, connector: CRMConnector, known: KnownCRMRecords) -> None:
        with pytest.raises(NotFoundError):
            connector.get_account(known.missing_id)
        with pytest.raises(NotFoundError):
            connector.get_account_overview(known.missing_id)

    def test_account_overview_lists_newest_cases_first(
        self, connector: CRMConnector, known: KnownCRMRecords
    ) -> None:
        account = connector.find_account_by_number(known.account_number)
        assert account is not None
        before = connector.get_account_overview(account.id, recent=50)
        assert before.account == account
        assert known.case_number in [c.number for c in before.recent_cases]
        created = connector.create_case(NewCase(subject="Overview probe", account_id=account.id))
        after = connector.get_account_overview(account.id, recent=2)
        assert len(after.recent_cases) == 2
        assert after.recent_cases[0].id == created.id
        assert all(c.account_id == account.id for c in after.recent_cases)
        stamps = [c.created_at for c in after.recent_cases]
        assert stamps == sorted(stamps, reverse=True)

    # Contacts
    def test_find_contact_by_email_ignores_case(
        self, connector: CRMConnector, known: KnownCRMRecords
    ) -> None:
        contact = connector.find_contact_by_email(f"  {known.contact_email.upper()} ")
        assert contact is not None
        assert contact.email is not None and contact.email.lower() == known.contact_email.lower()
        assert contact.full_name == known.contact_name
        assert connector.get_contact(contact.id) == contact
        assert connector.find_contact_by_email("nobody@nowhere.invalid") is None

    def test_email_lookup_is_injection_safe(self, connector: CRMConnector, known: KnownCRMRecords) -> None:
        assert connector.find_contact_by_email(f"x' OR Email != '{known.contact_email}") is None
        assert connector.find_contact_by_email("\\' OR Id != '") is None
        assert connector.find_case_by_business_key("' OR Subject != '") is None

    def test_find_contacts_by_name(self, connector: CRMConnector, known: KnownCRMRecords) -> None:
        found = connector.find_contacts_by_name(known.contact_name.lower())
        assert known.contact_name in [c.full_name for c in found]
        assert all(name_matches(known.contact_name, c.full_name) for c in found)
        assert connector.find_contacts_by_name("Qqqq Zzzz") == []

    def test_update_contact_phone_and_address(self, connector: CRMConnector, known: KnownCRMRecords) -> None:
        contact = connector.find_contact_by_email(known.contact_email)
        assert contact is not None
        address = Address(
            street="1 Test Way\nUnit 4",
            city="Leeds",
            region="West Yorkshire",
            postal_code="LS1 4AP",
            country="United Kingdom",
        )
        updated = connector.update_contact(
            contact.id, ContactUpdate(phone="+44 113 496 0000", mailing_address=address)
        )
        assert updated.phone == "+44 113 496 0000"
        assert updated.mailing_address == address
        assert updated.email == contact.email and updated.last_name == contact.last_name
        assert connector.get_contact(contact.id) == updated
        again = connector.update_contact(contact.id, ContactUpdate(phone="+44 113 496 0001"))
        assert again.mailing_address == address
        assert connector.update_contact(contact.id, ContactUpdate()) == again

    def test_update_unknown_contact_is_not_found(
        self, connector: CRMConnector, known: KnownCRMRecords
    ) -> None:
        with pytest.raises(NotFoundError):
            connector.update_contact(known.missing_id, ContactUpdate(phone="+1 555 0100"))
        with pytest.raises(NotFoundError):
            connector.get_contact(known.missing_id)

    # Cases
    def test_find_case_by_number(self, connector: CRMConnector, known: KnownCRMRecords) -> None:
        case = connector.find_case_by_number(known.case_number)
        assert case is not None and case.number == known.case_number
        assert connector.get_case(case.id) == case
        assert case.created_at.tzinfo is not None
        assert connector.find_case_by_number("99999999") is None
        with pytest.raises(NotFoundError):
            connector.get_case(known.missing_id)

    def test_create_case_round_trips_every_field(
        self, connector: CRMConnector, known: KnownCRMRecords
    ) -> None:
        contact = connector.find_contact_by_email(known.contact_email)
        assert contact is not None and contact.account_id is not None
        new = NewCase(
            subject="Billing address wrong on invoice INV-7",
            description="Customer says the invoice shows the old address.\nPlease fix.",
            priority=CasePriority.HIGH,
            origin=CaseOrigin.EMAIL,
            account_id=contact.account_id,
            contact_id=contact.id,
            owner_queue=known.queue,
            business_key="intake-0001",
        )
        case = connector.create_case(new)
        assert (case.subject, case.description, case.priority, case.origin) == (
            new.subject,
            new.description,
            CasePriority.HIGH,
            CaseOrigin.EMAIL,
        )
        assert (case.account_id, case.contact_id, case.owner_queue, case.business_key) == (
            contact.account_id,
            contact.id,
            known.queue,
            "intake-0001",
        )
        assert case.status is CaseStatus.NEW and case.number
        assert case.created_at.tzinfo is not None
        assert connector.get_case(case.id) == case
        assert connector.find_case_by_number(case.number) == case

    def test_business_key_reconciles_and_rejects_duplicates(self, connector: CRMConnector) -> None:
        assert connector.find_case_by_business_key("o'brien-42") is None
        case = connector.create_case(NewCase(subject="Reconcile me", business_key="o'brien-42"))
        assert connector.find_case_by_business_key("o'brien-42") == case
        assert connector.find_case_by_business_key("O'BRIEN-42") == case
        with pytest.raises(ConflictError):
            connector.create_case(NewCase(subject="Second attempt", business_key="o'brien-42"))
        with pytest.raises(ConflictError):
            connector.create_case(NewCase(subject="Shouting", business_key="O'Brien-42"))
        assert connector.find_case_by_business_key("o'brien-4") is None

    def test_create_case_with_unknown_references_is_rejected(
        self, connector: CRMConnector, known: KnownCRMRecords
    ) -> None:
        with pytest.raises(RejectedError):
            connector.create_case(NewCase(subject="Bad account", account_id=known.missing_id))
        with pytest.raises(RejectedError):
            connector.create_case(NewCase(subject="Bad queue", owner_queue="No Such Queue"))

    def test_update_case_fields(self, connector: CRMConnector, known: KnownCRMRecords) -> None:
        case = connector.create_case(NewCase(subject="Update me", owner_queue=known.queue))
        for status in CaseStatus:
            assert connector.update_case(case.id, CaseUpdate(status=status)).status is status
        updated = connector.update_case(
            case.id,
            CaseUpdate(
                status=CaseStatus.ESCALATED,
                priority=CasePriority.URGENT,
                owner_queue=known.other_queue,
                description="Escalated: customer is VIP",
            ),
        )
        assert (updated.status, updated.priority, updated.owner_queue, updated.description) == (
            CaseStatus.ESCALATED,
            CasePriority.URGENT,
            known.other_queue,
            "Escalated: customer is VIP",
        )
        assert (updated.subject, updated.number, updated.created_at) == (
            case.subject,
            case.number,
            case.created_at,
        )
        assert connector.get_case(case.id) == updated
        assert connector.update_case(case.id, CaseUpdate()) == updated
        with pytest.raises(RejectedError):
            connector.update_case(case.id, CaseUpdate(owner_queue="No Such Queue"))
        with pytest.raises(NotFoundError):
            connector.update_case(known.missing_id, CaseUpdate(priority=CasePriority.LOW))

    def test_closing_a_case_records_who_and_when(self, connector: CRMConnector) -> None:
        case = connector.create_case(NewCase(subject="Close me"))
        assert (case.closed_at, case.closed_by) == (None, None)
        before = datetime.now(UTC) - timedelta(minutes=5)
        closed = connector.update_case(case.id, CaseUpdate(status=CaseStatus.CLOSED))
        assert closed.is_closed and closed.closed_at is not None and closed.closed_by
        assert closed.closed_at >= before
        assert connector.get_case(case.id).closed_by == closed.closed_by
        reopened = connector.update_case(case.id, CaseUpdate(status=CaseStatus.WORKING))
        assert (reopened.closed_at, reopened.closed_by) == (None, None)

    def test_case_comments_keep_visibility_and_order(
        self, connector: CRMConnector, known: KnownCRMRecords
    ) -> None:
        case = connector.create_case(NewCase(subject="Comment on me"))
        assert connector.list_case_comments(case.id) == []
        internal = connector.add_case_comment(case.id, "Checked the ledger; refund pending.")
        public = connector.add_case_comment(case.id, "Hello, your refund is on its way.", public=True)
        assert (internal.public, public.public) == (False, True)
        assert internal.case_id == public.case_id == case.id
        assert public.created_at - internal.created_at >= timedelta(0)
        listed = connector.list_case_comments(case.id)
        assert [(c.id, c.body, c.public) for c in listed] == [
            (internal.id, internal.body, False),
            (public.id, public.body, True),
        ]
        with pytest.raises(NotFoundError):
            connector.add_case_comment(known.missing_id, "Nobody reads this")
        with pytest.raises(RejectedError):
            connector.add_case_comment(case.id, "   ")

    def test_seeded_case_has_history(self, connector: CRMConnector, known: KnownCRMRecords) -> None:
        case = connector.find_case_by_number(known.case_number)
        assert case is not None
        account = connector.find_account_by_number(known.account_number)
        assert account is not None and case.account_id == account.id
        comments = connector.list_case_comments(case.id)
        assert comments
        assert all(c.case_id == case.id for c in comments)
        assert [c.created_at for c in comments] == sorted(c.created_at for c in comments)
