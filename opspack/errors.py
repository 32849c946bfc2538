"""One exception tree for the opspack layer (the shell: CLI, demo, console, runtime).

    OpspackError                  root of every error the opspack layer defines
    ├── ConsoleError              (opspack.console.errors) the approval console refused a request
    │   ├── ConsoleConfigError    (also ValueError) the console's settings are unusable
    │   ├── NotAuthenticated      nobody is logged in
    │   └── Forbidden             the person may not do this
    ├── LoginRefused              (opspack.console.login_guard) too many failed logins
    ├── OutcomeFormError          (opspack.console.outcome_form; also ValueError) a bad outcome form
    ├── ChatError                 (opspack.cli.agent) the chat model cannot be used
    ├── ScheduleError             (opspack.runtime.schedule; also ValueError) an unusable schedule
    ├── SourceError               (opspack.runtime.sources.errors) a work source failed
    │   ├── SourceConfigurationError
    │   └── SourceUnavailableError
    └── RetryLater                (opspack.runtime.worker) a task asks to be run again later

The layers below keep their own roots, which the shell reports on one line:
`agents.errors.AgentError`, `governance.errors.GovernanceError`,
`mocks.errors.MockError`, `connectors.errors.ConnectorLayerError` (vendor failures are its
`ConnectorError`) and `observability.errors.ObservabilityError`.
"""

from __future__ import annotations

__all__ = ["OpspackError"]


class OpspackError(Exception):
    """Root of every error the opspack layer defines."""
