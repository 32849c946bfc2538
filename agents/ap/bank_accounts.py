"""Bank accounts as invoices state them: an IBAN, or a domestic account with its bank code.

UK suppliers print a sort code and an 8-digit account number, US suppliers an ABA routing number
and an account number; neither is an IBAN and neither fails a mod-97 check. `split_account`
reads the forms XML invoices carry them in (BT-84 with BT-86, or both in one field), and
`on_file` compares an invoice's account with the vendor master's -- a GB IBAN carries the sort
code and account number inside it, so either spelling finds the other.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from stdnum.us import rtn

from connectors.erp.models import BankAccount, iban_is_valid

_IBAN_SHAPE = re.compile(r"^[A-Z]{2}\d{2}[A-Z0-9]{10,30}$")
_TWO_PARTS = re.compile(r"^(\d{2}-?\d{2}-?\d{2}|\d{9})[\s/]+(\d{4,17})$")


@dataclass(frozen=True)
class StatedAccount:
    """What the invoice says to pay into: an IBAN, or a domestic account number and bank code."""

    iban: str | None = None
    account_number: str | None = None
    bank_code: str | None = None

    @property
    def problem(self) -> str | None:
        """Why the stated account cannot be right on its face, or None."""
        if self.iban is not None and not iban_is_valid(self.iban):
            return f"IBAN {self.iban} fails the ISO 13616 mod-97 checksum"
        if self.bank_code is not None and len(self.bank_code) == 9 and not rtn.is_valid(self.bank_code):
            return f"routing number {self.bank_code} fails the ABA checksum"
        return None

    def describe(self) -> str:
        if self.iban:
            return f"IBAN {self.iban}"
        code = f"bank code {self.bank_code} " if self.bank_code else ""
        return f"{code}account {self.account_number}"


def digits(value: str | None) -> str | None:
    if value is None:
        return None
    only = re.sub(r"\D", "", value)
    return only or None


def split_account(account_id: str | None, branch_id: str | None) -> StatedAccount:
    """An account field (and its branch field) as an IBAN or a domestic account.

    ``GB29 NWBK 6016 1331 9268 19`` → IBAN; ``31926819`` with branch ``60-16-13`` → UK account;
    ``60-16-13 31926819`` or ``021000021 123456789`` in one field → code and account.
    """
    if account_id is None or not account_id.strip():
        return StatedAccount()
    compact = re.sub(r"[\s-]", "", account_id).upper()
    if _IBAN_SHAPE.match(compact):
        return StatedAccount(iban=compact)
    code = digits(branch_id)
    if code is None and (both := _TWO_PARTS.match(account_id.strip())):
        return StatedAccount(account_number=both.group(2), bank_code=digits(both.group(1)))
    return StatedAccount(account_number=digits(account_id) or compact, bank_code=code)


def _domestic(account: BankAccount) -> tuple[str | None, str | None]:
    """(bank code, account number) of a master record; a GB IBAN yields its sort code and account."""
    if account.account_number:
        return digits(account.bank_code), digits(account.account_number)
    if account.iban and account.iban.startswith("GB") and len(account.iban) == 22:
        return account.iban[8:14], account.iban[14:]
    return None, None


def on_file(stated: StatedAccount, accounts: tuple[BankAccount, ...]) -> bool:
    """Whether the vendor master holds the stated account (IBAN or domestic, either spelling)."""
    if stated.iban:
        if any(account.iban == stated.iban for account in accounts):
            return True
        if stated.iban.startswith("GB") and len(stated.iban) == 22:
            stated = StatedAccount(account_number=stated.iban[14:], bank_code=stated.iban[8:14])
        else:
            return False
    number = digits(stated.account_number)
    if number is None:
        return False
    for account in accounts:
        code, held = _domestic(account)
        if held is None or held.lstrip("0") != number.lstrip("0"):
            continue
        if stated.bank_code is None or code is None or code == stated.bank_code:
            return True
    return False
