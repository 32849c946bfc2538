"""`FakeCRM`: an in-memory CRM that keeps the whole `CRMConnector` contract, errors included.

Public API for tests of agents and governance: start from `FakeCRM.sample()` (the same customer
base the Salesforce and HubSpot mocks hold) or seed it with `seed_account` / `seed_contact` /
`seed_case` / `seed_comment`, drive it through the Protocol, inspect it with `cases()` and
`comments()`.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import ClassVar, TypeVar

from connectors.crm.models import (
    Account,
    AccountOverview,
    Case,
    CaseComment,
    CaseStatus,
    CaseUpdate,
    Contact,
    ContactUpdate,
    NewCase,
    name_matches,
)
from connectors.crm.sample_data import QUEUES, build_sample
from connectors.errors import ConflictError, NotFoundError, RejectedError

_T = TypeVar("_T")


def _utc_now() -> datetime:
    return datetime.now(UTC)


class FakeCRM:
    """A CRM held in dictionaries; thread-safe, deterministic ids, strictly increasing timestamps."""

    kind: ClassVar[str] = "crm"
    vendor: ClassVar[str] = "fake-crm"

    def __init__(
        self,
        *,
        queues: Iterable[str] = QUEUES,
        clock: Callable[[], datetime] = _utc_now,
        first_case_number: int = 1001,
        user: str = "opspack.integration",
    ) -> None:
        self.user = user
        """The CRM user this connector acts as: what it closes is closed by this user."""
        self._queues = set(queues)
        self._clock = clock
        self._last_time: datetime | None = None
        self._lock = threading.RLock()
        self._accounts: dict[str, Account] = {}
        self._contacts: dict[str, Contact] = {}
        self._cases: dict[str, Case] = {}
        self._comments: dict[str, CaseComment] = {}
        self._ids = itertools.count(1)
        self._case_numbers = itertools.count(first_case_number)

    @classmethod
    def sample(cls, *, clock: Callable[[], datetime] = _utc_now) -> FakeCRM:
        """A fake holding the sample customer base the CRM mocks are seeded with."""
        data = build_sample()
        fake = cls(queues=QUEUES, clock=clock, first_case_number=1001 + len(data.cases))
        for account in data.accounts:
            fake.seed_account(account)
        for contact in data.contacts:
            fake.seed_contact(contact)
        for case in data.cases:
            fake.seed_case(case)
        for comment in data.comments:
            fake.seed_comment(comment)
        return fake

    # Seeding and inspection (not part of the Protocol)
    def seed_account(self, account: Account) -> Account:
        with self._lock:
            self._accounts[account.id] = account
        return account

    def seed_contact(self, contact: Contact) -> Contact:
        with self._lock:
            self._contacts[contact.id] = contact
        return contact

    def seed_case(self, case: Case) -> Case:
        with self._lock:
            self._cases[case.id] = case
        return case

    def seed_comment(self, comment: CaseComment) -> CaseComment:
        with self._lock:
            self._comments[comment.id] = comment
        return comment

    def cases(self) -> list[Case]:
        with self._lock:
            return sorted(self._cases.values(), key=lambda c: (c.created_at, c.id))

    def comments(self, case_id: str | None = None) -> list[CaseComment]:
        with self._lock:
            rows = [c for c in self._comments.values() if case_id is None or c.case_id == case_id]
        return sorted(rows, key=lambda c: (c.created_at, c.id))

    # Accounts
    def get_account(self, account_id: str) -> Account:
        with self._lock:
            return self._require(self._accounts, account_id, "account", "get_account")

    def find_account_by_number(self, account_number: str) -> Account | None:
        with self._lock:
            matches = [a for a in self._accounts.values() if a.account_number == account_number]
        return min(matches, key=lambda a: a.id) if matches else None

    def find_accounts_by_name(self, name: str, *, limit: int = 20) -> list[Account]:
        with self._lock:
            rows = [a for a in self._accounts.values() if name.strip() and name_matches(name, a.name)]
        return sorted(rows, key=lambda a: (a.name, a.id))[:limit]

    def find_account_by_email(self, email: str) -> Account | None:
        contact = self.find_contact_by_email(email)
        if contact is None or contact.account_id is None:
            return None
        with self._lock:
            return self._accounts.get(contact.account_id)

    def get_account_overview(self, account_id: str, *, recent: int = 5) -> AccountOverview:
        with self._lock:
            account = self._require(self._accounts, account_id, "account", "get_account_overview")
            cases = [c for c in self._cases.values() if c.account_id == account_id]
        cases.sort(key=lambda c: (c.created_at, c.id), reverse=True)
        return AccountOverview(account=account, recent_cases=tuple(cases[:recent]))

    # Contacts
    def get_contact(self, contact_id: str) -> Contact:
        with self._lock:
            return self._require(self._contacts, contact_id, "contact", "get_contact")

    def find_contact_by_email(self, email: str) -> Contact | None:
        wanted = email.strip().lower()
        with self._lock:
            matches = [c for c in self._contacts.values() if c.email and c.email.lower() == wanted]
        return min(matches, key=lambda c: c.id) if matches else None

    def find_contacts_by_name(self, name: str, *, limit: int = 20) -> list[Contact]:
        with self._lock:
            rows = [c for c in self._contacts.values() if name.strip() and name_matches(name, c.full_name)]
        return sorted(rows, key=lambda c: (c.full_name, c.id))[:limit]

    def update_contact(self, contact_id: str, update: ContactUpdate) -> Contact:
        with self._lock:
            contact = self._require(self._contacts, contact_id, "contact", "update_contact")
            changes: dict[str, object] = {}
            if update.phone is not None:
                changes["phone"] = update.phone
            if update.mailing_address is not None:
                changes["mailing_address"] = update.mailing_address
            contact = contact.model_copy(update=changes)
            self._contacts[contact_id] = contact
            return contact

    # Cases
    def get_case(self, case_id: str) -> Case:
        with self._lock:
            return self._require(self._cases, case_id, "case", "get_case")

    def find_case_by_number(self, number: str) -> Case | None:
        with self._lock:
            return next((c for c in self._cases.values() if c.number == number.strip()), None)

    def find_case_by_business_key(self, business_key: str) -> Case | None:
        with self._lock:
            wanted = business_key.lower()
            return next((c for c in self._cases.values() if (c.business_key or "").lower() == wanted), None)

    def create_case(self, new_case: NewCase) -> Case:
        with self._lock:
            if new_case.business_key is not None and self.find_case_by_business_key(new_case.business_key):
                raise ConflictError(
                    f"a case with business key {new_case.business_key!r} already exists",
                    vendor=self.vendor,
                    endpoint="create_case",
                )
            self._check_references(
                new_case.account_id, new_case.contact_id, new_case.owner_queue, "create_case"
            )
            case = Case(
                id=f"case-{next(self._ids)}",
                number=f"{next(self._case_numbers):08d}",
                status=CaseStatus.NEW,
                created_at=self._now(),
                **new_case.model_dump(),
            )
            self._cases[case.id] = case
            return case

    def update_case(self, case_id: str, update: CaseUpdate) -> Case:
        return self.update_case_as(self.user, case_id, update)

    def update_case_as(self, user: str, case_id: str, update: CaseUpdate) -> Case:
        """`update_case` done by another CRM user -- a person working the case in the CRM's own UI."""
        with self._lock:
            case = self._require(self._cases, case_id, "case", "update_case")
            self._check_references(None, None, update.owner_queue, "update_case")
            changes: dict[str, object] = {k: v for k, v in update.model_dump().items() if v is not None}
            if update.status is CaseStatus.CLOSED and not case.is_closed:
                changes.update(closed_at=self._now(), closed_by=user)
            elif update.status is not None and update.status is not CaseStatus.CLOSED:
                changes.update(closed_at=None, closed_by=None)
            case = case.model_copy(update=changes)
            self._cases[case_id] = case
            return case

    def add_case_comment(self, case_id: str, body: str, *, public: bool = False) -> CaseComment:
        with self._lock:
            self._require(self._cases, case_id, "case", "add_case_comment")
            if not body.strip():
                raise RejectedError("comment body is empty", vendor=self.vendor, endpoint="add_case_comment")
            comment = CaseComment(
                id=f"comment-{next(self._ids)}",
                case_id=case_id,
                body=body,
                public=public,
                created_at=self._now(),
            )
            self._comments[comment.id] = comment
            return comment

    def list_case_comments(self, case_id: str) -> list[CaseComment]:
        with self._lock:
            self._require(self._cases, case_id, "case", "list_case_comments")
        return self.comments(case_id)

    # Internals
    def _require(self, table: dict[str, _T], key: str, what: str, operation: str) -> _T:
        try:
            return table[key]
        except KeyError:
            raise NotFoundError(
                f"no {what} with id {key!r}", vendor=self.vendor, endpoint=operation
            ) from None

    def _check_references(
        self, account_id: str | None, contact_id: str | None, queue: str | None, operation: str
    ) -> None:
        problems = []
        if account_id is not None and account_id not in self._accounts:
            problems.append(f"unknown account {account_id!r}")
        if contact_id is not None and contact_id not in self._contacts:
            problems.append(f"unknown contact {contact_id!r}")
        if queue is not None and queue not in self._queues:
            problems.append(f"unknown queue {queue!r} (known: {', '.join(sorted(self._queues))})")
        if problems:
            raise RejectedError("; ".join(problems), vendor=self.vendor, endpoint=operation)

    def _now(self) -> datetime:
        now = self._clock()
        if self._last_time is not None and now <= self._last_time:
            now = self._last_time + timedelta(milliseconds=1)
        self._last_time = now
        return now
