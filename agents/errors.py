"""One exception tree for the agents layer, sorted by what the caller does next.

    AgentError
    ├── ScenarioError               a scenario / replay-suite file is malformed: fix the file
    │   └── procurement.errors.ScenarioError   (also a ProcurementError)
    ├── AgentConfigError            an agent's configuration is unusable: fix the file
    │   ├── ap.tolerances.ToleranceError
    │   ├── intake.config.IntakeConfigError
    │   ├── service_desk.config.ServiceDeskConfigError
    │   └── service_desk.knowledge.KnowledgeBaseError
    ├── ap.invoice.IngestionRejected            the file is not a readable invoice (reason code)
    ├── ap.extract.evaluation.EvaluationError   an extraction evaluation cannot run
    ├── ap.extract.layout_memory.LayoutMemoryError   a correction cannot be learned
    ├── intake.messages.MessageError            input is not a message of its channel
    ├── perception.errors.PerceptionError       datasets, model files, prompts, LLM answers
    │   └── ...                                 (its own tree: `agents.perception.errors`)
    ├── procurement.errors.ProcurementError     taxonomy, spend input, supplier data
    ├── core.actions.UnknownSystemKind          a proposed action's kind has no connection (a KeyError)
    └── performers: BindingRefused, UnsupportedOperation   (also governance's ExecutionError:
                                                 the executor records them as failed outcomes)

Errors that are bad input are also `ValueError`s, so the CLIs' one-line handlers report them
without a traceback. Errors from the layers below pass through unchanged: a connector's
`connectors.errors.ConnectorError` (or the layer root `ConnectorLayerError`), governance's
`governance.errors.GovernanceError`.
"""

from __future__ import annotations

__all__ = ["AgentConfigError", "AgentError", "ScenarioError"]


class AgentError(Exception):
    """Root of every error the agents layer defines."""


class ScenarioError(AgentError, ValueError):
    """A scenario or replay-suite file cannot be read or does not fit the format (names file and case)."""


class AgentConfigError(AgentError, ValueError):
    """An agent's configuration file is missing, unreadable or invalid (names the file and field)."""
