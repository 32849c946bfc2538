"""Exceptions raised by the governance layer, sorted by what the caller does next.

GovernanceError
├── PolicyError            the policy file is wrong: fix it (fails closed, nothing runs)
├── ApprovalError          an approval cannot be used: it is expired, used, rejected, stale or
│                          decided by someone not allowed to (maker = checker, SoD)
├── ExecutionError         the executor could not finish an action (outcome recorded); the
│                          performers' BindingRefused and UnsupportedOperation (agents layer) are ones
├── LedgerError            the ledger cannot be read or appended to (storage problem)
│   ├── LedgerIntegrityError  verification found tampering; names the first bad record
│   └── evidence.EvidenceError  an evidence bundle cannot be built or verified
├── CredentialError        a secret is missing, unreadable or its store is unsafe
│   └── secrets.MissingSecretError
├── RecordNotFoundError    a record the caller named (approval, ledger record, transaction) is absent
├── operations.BindingError      (also ValueError) an action's judged values cannot be bound
├── autonomy.AutonomyError       the autonomy configuration or measurement is unusable
├── corrections.CorrectionError  a correction cannot be recorded
├── human_outcomes.HumanOutcomeError  a human outcome cannot be recorded
├── kill_switches.KillSwitchError     a kill switch cannot be read or set
└── metrics.MeasurementError     a measurement cannot be computed

`NotFoundError` is the former name of `RecordNotFoundError`, kept importable for its callers; it
is not a second class (connectors have their own, `connectors.errors.NotFoundError`, for a vendor's
404). Errors of the layers below (`connectors.errors.ConnectorLayerError`) pass through unchanged.
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


class RecordNotFoundError(GovernanceError):
    """The named record does not exist."""


NotFoundError = RecordNotFoundError
"""The former name, kept for callers: the same class, not a second one."""
