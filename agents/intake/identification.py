"""Who wrote: exact e-mail, then account number, then fuzzy name + company. Never a guess.

Each step either finds exactly one customer or moves on; a fuzzy step that leaves more than one
candidate within a small margin of each other is *ambiguous* and the agent asks the customer
instead of picking one.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from rapidfuzz import fuzz, utils

from connectors.crm.models import Account, Contact
from connectors.crm.protocol import CRMConnector

FUZZY_CUTOFF = 85.0
"""Minimum rapidfuzz score (0-100) for a name or company to count as a match."""
AMBIGUITY_MARGIN = 5.0
"""Candidates scoring within this of the best are indistinguishable: ask, do not pick."""


class IdentityMethod(StrEnum):
    EMAIL = "email"
    ACCOUNT_NUMBER = "account_number"
    FUZZY_NAME = "fuzzy_name"


@dataclass(frozen=True)
class Identity:
    """The outcome of identification: one customer, several candidates, or nobody."""

    account: Account | None = None
    contact: Contact | None = None
    method: IdentityMethod | None = None
    candidates: tuple[Account, ...] = ()
    """Accounts that were too close to call (ambiguous) -- the agent asks the customer."""

    @property
    def found(self) -> bool:
        return self.account is not None

    @property
    def ambiguous(self) -> bool:
        return self.account is None and len(self.candidates) > 1


def identify(
    crm: CRMConnector,
    *,
    email: str | None,
    account_numbers: tuple[str, ...],
    name: str | None,
    company: str | None,
) -> Identity:
    if email:
        contact = crm.find_contact_by_email(email)
        if contact is not None and contact.account_id is not None:
            account = crm.get_account(contact.account_id)
            numbers = {n.upper() for n in account_numbers}
            if numbers and (account.account_number or "").upper() not in numbers:
                # the mail comes from a known contact but quotes another customer's number
                others = [a for n in sorted(numbers) if (a := crm.find_account_by_number(n)) is not None]
                return Identity(candidates=(account, *others))
            return Identity(account=account, contact=contact, method=IdentityMethod.EMAIL)
    accounts = {a.id: a for n in account_numbers if (a := crm.find_account_by_number(n)) is not None}
    if len(accounts) == 1:
        account = next(iter(accounts.values()))
        return Identity(
            account=account, contact=_contact_named(crm, name, account), method=IdentityMethod.ACCOUNT_NUMBER
        )
    if len(accounts) > 1:
        return Identity(candidates=tuple(accounts.values()))
    return _fuzzy(crm, name, company)


def _contact_named(crm: CRMConnector, name: str | None, account: Account) -> Contact | None:
    if not name:
        return None
    matches = [c for c in crm.find_contacts_by_name(name) if c.account_id == account.id]
    return matches[0] if len(matches) == 1 else None


def _fuzzy(crm: CRMConnector, name: str | None, company: str | None) -> Identity:
    if not name and not company:
        return Identity()
    scored: dict[str, tuple[float, Account, Contact | None]] = {}
    if company:
        first_word = company.split()[0] if company.split() else company
        for account in crm.find_accounts_by_name(first_word, limit=50):
            score = fuzz.WRatio(company, account.name, processor=utils.default_process)
            if score >= FUZZY_CUTOFF:
                scored[account.id] = (score, account, None)
    if name:
        last = name.split()[-1]
        for contact in crm.find_contacts_by_name(last, limit=50):
            score = fuzz.token_sort_ratio(name, contact.full_name, processor=utils.default_process)
            if score < FUZZY_CUTOFF or contact.account_id is None:
                continue
            account = crm.get_account(contact.account_id)
            if company:
                company_score = fuzz.WRatio(company, account.name, processor=utils.default_process)
                if company_score < FUZZY_CUTOFF:
                    continue
                score = (score + company_score) / 2 + 10  # a person at the named company beats either alone
            previous = scored.get(account.id)
            if previous is None or score > previous[0]:
                scored[account.id] = (score, account, contact)
    if not scored:
        return Identity()
    ranked = sorted(scored.values(), key=lambda item: -item[0])
    best = ranked[0]
    close = [item for item in ranked if best[0] - item[0] <= AMBIGUITY_MARGIN]
    if len(close) > 1:
        return Identity(candidates=tuple(item[1] for item in close))
    return Identity(account=best[1], contact=best[2], method=IdentityMethod.FUZZY_NAME)
