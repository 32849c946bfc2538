"""The deployment file (``opspack.yaml``): which agents run, on which connections, fed by which
sources, with which schedules, database and policy. Validated like the policy: unknown keys and
dangling names are refused when the file loads, each problem named by its key path.

Relative paths (policy, connections, folders) are relative to the deployment file's folder.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from connectors.errors import ConfigurationError

AgentType = Literal["ap", "service_desk", "intake"]
REQUIRED_CONNECTIONS: dict[str, tuple[str, ...]] = {
    "ap": ("erp",),
    "service_desk": ("itsm", "directory"),
    "intake": ("crm", "erp"),
}
OPTIONAL_CONNECTIONS: dict[str, tuple[str, ...]] = {"ap": (), "service_desk": ("erp",), "intake": ()}
ITEM_KINDS: dict[str, str] = {"ap": "document", "service_desk": "ticket", "intake": "message"}
"""The work-item kind each agent type takes from its sources."""
TASKS = ("po_follow_up", "merkle_checkpoint", "exception_baselines", "credential_age", "human_outcomes")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FolderSourceConfig(_Strict):
    kind: Literal["folder"]
    path: Path
    patterns: tuple[str, ...] = ("*.pdf", "*.xml", "*.json", "*.csv", "*.eml")


class ImapSourceConfig(_Strict):
    kind: Literal["imap"]
    host: str
    port: int = 993
    username: str
    password_secret: str = Field(pattern=r"^secret:.+")
    """A secret reference: the password never sits in the deployment file."""
    mailbox: str = "INBOX"
    ssl: bool = True


class ItsmQueueSourceConfig(_Strict):
    kind: Literal["itsm_queue"]
    connection: str
    queue: str


class GraphMailboxSourceConfig(_Strict):
    kind: Literal["graph_mailbox"]
    connection: str
    user: str


SourceConfig = Annotated[
    FolderSourceConfig | ImapSourceConfig | ItsmQueueSourceConfig | GraphMailboxSourceConfig,
    Field(discriminator="kind"),
]


class AgentDeployment(_Strict):
    type: AgentType
    connections: dict[str, str]
    """Role (``erp``, ``itsm``, ``directory``, ``crm``) → connection name in the connections file."""
    sources: tuple[str, ...] = ()
    enabled: bool = True

    @model_validator(mode="after")
    def _roles(self) -> AgentDeployment:
        required, optional = REQUIRED_CONNECTIONS[self.type], OPTIONAL_CONNECTIONS[self.type]
        missing = [role for role in required if role not in self.connections]
        unknown = [role for role in self.connections if role not in (*required, *optional)]
        if missing or unknown:
            raise ValueError(
                f"a {self.type} agent needs connections {', '.join(required)}"
                + (f" (optional: {', '.join(optional)})" if optional else "")
                + (f"; missing {', '.join(missing)}" if missing else "")
                + (f"; unknown {', '.join(unknown)}" if unknown else "")
            )
        return self


class ScheduleConfig(_Strict):
    cron: str
    """Five fields: minute hour day-of-month month day-of-week (``0 7 * * 1-5``)."""
    task: Literal[
        "po_follow_up", "merkle_checkpoint", "exception_baselines", "credential_age", "human_outcomes"
    ]
    connection: str | None = None
    """The ERP connection for ``po_follow_up``; the ITSM, ERP or CRM connection for ``human_outcomes``."""
    service_accounts: tuple[str, ...] = ("opspack.integration",)
    """``human_outcomes``: opspack's own user names in that system (what they did is not a person's)."""

    @field_validator("cron")
    @classmethod
    def _valid_cron(cls, value: str) -> str:
        from opspack.runtime.schedule import CronSchedule, ScheduleError

        try:
            CronSchedule(value)
        except ScheduleError as exc:
            raise ValueError(str(exc)) from None
        return value


class HealthConfig(_Strict):
    host: str = "127.0.0.1"
    port: int = Field(default=9464, ge=0, le=65535)


class TracingSettings(_Strict):
    """OpenTelemetry traces (`observability.tracing`); ``OPSPACK_TRACING`` and friends override these."""

    exporter: Literal["off", "console", "otlp"] = "off"
    endpoint: str | None = None
    """OTLP/HTTP traces URL, e.g. http://collector:4318/v1/traces (default: the OTEL_* variables)."""
    service_name: str = "opspack"

    @field_validator("exporter", mode="before")
    @classmethod
    def _yaml_off(cls, value: object) -> object:
        return "off" if value is False else value  # YAML reads a bare `off` as false


class RuntimeConfig(_Strict):
    poll_seconds: float = Field(default=5.0, gt=0)
    """Pause between ticks when the sources had nothing."""
    approvals_seconds: float = Field(default=1.0, gt=0)
    """How often decided approvals are looked for while idle (a decision is executed within this)."""
    health: HealthConfig | None = None
    tracing: TracingSettings = TracingSettings()


class Deployment(_Strict):
    version: Literal[1] = 1
    database: str | None = None
    """SQLAlchemy URL (default ``$OPSPACK_DATABASE_URL``, else ``.opspack/opspack.db``)."""
    policy: Path | None = None
    connections: Path | None = None
    runtime: RuntimeConfig = RuntimeConfig()
    sources: dict[str, SourceConfig] = Field(default_factory=dict)
    agents: dict[str, AgentDeployment]
    schedules: dict[str, ScheduleConfig] = Field(default_factory=dict)
    base_dir: Path = Field(default=Path("."), exclude=True)

    @model_validator(mode="after")
    def _references(self) -> Deployment:
        problems = []
        fed: dict[str, str] = {}
        for name, agent in self.agents.items():
            for source in agent.sources:
                if source not in self.sources:
                    problems.append(f"agents.{name}.sources: no source named {source!r}")
                elif source in fed:
                    problems.append(f"agents.{name}.sources: {source!r} already feeds agent {fed[source]!r}")
                else:
                    fed[source] = name
        for name, schedule in self.schedules.items():
            if schedule.task == "po_follow_up" and not schedule.connection:
                problems.append(f"schedules.{name}: po_follow_up needs the ERP connection")
            if schedule.task == "human_outcomes" and not schedule.connection:
                problems.append(f"schedules.{name}: human_outcomes needs the ITSM, ERP or CRM connection")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def path(self, value: Path) -> Path:
        """`value` resolved against the deployment file's folder."""
        return value if value.is_absolute() else self.base_dir / value

    def agent_for_source(self, source: str) -> str | None:
        return next((name for name, a in self.agents.items() if source in a.sources), None)


def load_deployment(path: str | Path) -> Deployment:
    """Read and validate a deployment file; every problem names the file and the key path."""
    file = Path(path)
    try:
        raw = yaml.safe_load(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigurationError(f"deployment file {file} does not exist", vendor="deployment") from None
    except yaml.YAMLError as exc:
        raise ConfigurationError(f"{file}: not valid YAML: {exc}", vendor="deployment") from None
    if not isinstance(raw, dict):
        raise ConfigurationError(f"{file}: expected a mapping with an 'agents' key", vendor="deployment")
    try:
        return Deployment.model_validate({**raw, "base_dir": file.resolve().parent})
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in err['loc']) or '(top level)'}: {err['msg']}"
            for err in exc.errors()
        )
        raise ConfigurationError(f"{file}: {problems}", vendor="deployment") from None
