"""Errors of the procurement agent; each names the file, row or record at fault.

They derive from `ValueError` so the CLI's one-line error handler reports them like any other bad
input, without a traceback.
"""

from __future__ import annotations

from agents.errors import AgentError
from agents.errors import ScenarioError as AgentScenarioError


class ProcurementError(AgentError, ValueError):
    """Base class: bad procurement input or configuration."""


class TaxonomyError(ProcurementError):
    """A taxonomy, term list or category mapping file is malformed or inconsistent."""


class SpendInputError(ProcurementError):
    """A spend CSV cannot be read: missing columns, empty, not UTF-8, a bad value."""


class SupplierDataError(ProcurementError):
    """A vendor master extract cannot be read."""


class ScenarioError(ProcurementError, AgentScenarioError):
    """A replay scenario file is malformed."""
