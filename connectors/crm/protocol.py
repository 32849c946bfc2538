"""The one seam between agents and any CRM (Salesforce, HubSpot, or the in-memory fake).

Contract shared by every implementation (the conformance suite checks it):

- `get_*` raise `connectors.errors.NotFoundError` for an unknown id; `find_*` return None or [].
- Email lookups are case-insensitive. Name searches follow `models.name_matches` (each query word
  starts a word of the name) and come back ordered by name, then id.
- Business keys are unique and compare case-insensitively, like the CRMs' unique fields.
  `create_case` with a `business_key` already used raises `ConflictError`; unknown account,
  contact or queue raise `RejectedError`. `find_case_by_business_key` is how an executor
  reconciles a create whose outcome it could not observe.
- Updates are partial; an empty update changes nothing and returns the record as it is.
"""

from __future__ import annotations

from typing import ClassVar, Protocol, runtime_checkable

from connectors.crm.models import (
    Account,
    AccountOverview,
    Case,
    CaseComment,
    CaseUpdate,
    Contact,
    ContactUpdate,
    NewCase,
)


@runtime_checkable
class CRMConnector(Protocol):
    """Accounts, contacts, cases and case comments in one CRM."""

    kind: ClassVar[str]
    """Always "crm"; the registry uses it to check a connection is wired to the right kind."""

    # Accounts
    def get_account(self, account_id: str) -> Account: ...

    def find_account_by_number(self, account_number: str) -> Account | None: ...

    def find_accounts_by_name(self, name: str, *, limit: int = 20) -> list[Account]: ...

    def find_account_by_email(self, email: str) -> Account | None:
        """The account of the contact with this email (None if no contact or no account)."""
        ...

    def get_account_overview(self, account_id: str, *, recent: int = 5) -> AccountOverview:
        """The account and its `recent` newest cases (all statuses), newest first."""
        ...

    # Contacts
    def get_contact(self, contact_id: str) -> Contact: ...

    def find_contact_by_email(self, email: str) -> Contact | None: ...

    def find_contacts_by_name(self, name: str, *, limit: int = 20) -> list[Contact]: ...

    def update_contact(self, contact_id: str, update: ContactUpdate) -> Contact: ...

    # Cases
    def get_case(self, case_id: str) -> Case: ...

    def find_case_by_number(self, number: str) -> Case | None: ...

    def find_case_by_business_key(self, business_key: str) -> Case | None: ...

    def create_case(self, new_case: NewCase) -> Case: ...

    def update_case(self, case_id: str, update: CaseUpdate) -> Case: ...

    def add_case_comment(self, case_id: str, body: str, *, public: bool = False) -> CaseComment:
        """Add a comment; `public=True` makes it visible to the customer."""
        ...

    def list_case_comments(self, case_id: str) -> list[CaseComment]:
        """The case's comments, oldest first."""
        ...
