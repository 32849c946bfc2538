"""Exceptions raised by the governance layer, sorted by what the caller does next.

GovernanceError
├── PolicyError            the policy file is wrong: fix it (fails closed, nothing runs)
├── ApprovalError          an approval cannot be used: it is expired, used, rejected, stale or
│                          decided by someone not allowed to (maker = checker, SoD)
├── ExecutionError         the executor could not finish an action (outcome recorded)
├── LedgerError            the ledger cannot be read or appended to (storage problem)
│   └── LedgerIntegrityError  verification found tampering; names the first bad record
├── CredentialError        a secret is missing, unreadable or its store is unsafe
└── NotFoundError          a record the caller named (approval, ledger record, transaction) is absent
"""

from __future__ import annotations


class GovernanceError(Exception):
    """Root of every governance error."""


class PolicyError(GovernanceError):
    """The policy is invalid; the message names the file, the key path and the problem."""


class ApprovalError(GovernanceError):
    """An approval cannot be used as asked."""


class ExecutionError(GovernanceError):
    """An action could not be carried out; the outcome is in the ledger."""


class LedgerError(GovernanceError):
    """The ledger store failed."""


class LedgerIntegrityError(LedgerError):
    """Verification found a record that does not fit the chain."""

    def __init__(self, message: str, *, record_seq: int | None = None) -> None:
        super().__init__(message)
        self.record_seq = record_seq


class CredentialError(GovernanceError):
    """A credential is missing or its store is unsafe. Never carries the secret itself."""


class NotFoundError(GovernanceError):
    """The named record does not exist."""
