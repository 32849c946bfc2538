"""From a deployment file to a ready runner: the wiring, one handler per agent, one source per
configured source (by its ``kind:``), the schedules. A user's own source kind is one more entry
in `SOURCE_KINDS`."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from connectors.errors import ConfigurationError
from opspack.deployment import (
    AgentDeployment,
    Deployment,
    FolderSourceConfig,
    GraphMailboxSourceConfig,
    ImapSourceConfig,
    ItsmQueueSourceConfig,
)
from opspack.runtime.handlers import AgentHandler, APHandler, IntakeHandler, ServiceDeskHandler
from opspack.runtime.runner import Runner, RuntimeMetrics, Schedule
from opspack.runtime.sources.base import Source
from opspack.runtime.tasks import cron_schedule, run_task
from opspack.wiring import Wiring

SOURCE_KINDS: dict[str, str] = {
    "folder": "opspack.runtime.sources:FolderSource",
    "imap": "opspack.runtime.sources:ImapSource",
    "itsm_queue": "opspack.runtime.sources:ItsmQueueSource",
    "graph_mailbox": "opspack.runtime.sources:GraphMailboxSource",
}
"""``kind:`` in the deployment file → the class that reads it."""
ROLE_AGENT = {"ap": "ap_clerk", "service_desk": "service_desk", "intake": "customer_intake"}


def source_class(kind: str) -> Callable[..., Source]:
    target = SOURCE_KINDS.get(kind)
    if target is None:
        raise ConfigurationError(f"unknown source kind {kind!r} (known: {', '.join(SOURCE_KINDS)})")
    module, _, name = target.partition(":")
    found = getattr(importlib.import_module(module), name, None)
    if found is None:
        raise ConfigurationError(f"source kind {kind!r} ({target}) is not available in this installation")
    built: Callable[..., Source] = found
    return built


def database_url(deployment: Deployment) -> str | None:
    """The deployment's database; a relative SQLite file is relative to the deployment file."""
    url = deployment.database
    prefix = "sqlite:///"
    if url and url.startswith(prefix) and not url.startswith(prefix + "/") and url != prefix:
        path = deployment.path(Path(url[len(prefix) :]))
        path.parent.mkdir(parents=True, exist_ok=True)
        return prefix + str(path)
    return url


def build_wiring(deployment: Deployment, *, database: str | None = None) -> Wiring:
    return Wiring.load(
        connections=deployment.path(deployment.connections) if deployment.connections else None,
        policy=deployment.path(deployment.policy) if deployment.policy else None,
        database=database or database_url(deployment),
    )


def build_handler(agent: AgentDeployment, wiring: Wiring, spool: Path) -> AgentHandler:
    roles = agent.connections
    if agent.type == "ap":
        return APHandler(wiring, erp=roles["erp"], spool=spool / "ap")
    if agent.type == "service_desk":
        return ServiceDeskHandler(
            wiring, itsm=roles["itsm"], directory=roles["directory"], erp=roles.get("erp")
        )
    return IntakeHandler(wiring, crm=roles["crm"], erp=roles["erp"], spool=spool / "intake")


def build_source(name: str, deployment: Deployment, wiring: Wiring) -> Source:
    config = deployment.sources[name]
    fed = deployment.agent_for_source(name)
    identity = ROLE_AGENT[deployment.agents[fed].type] if fed else "service_desk"
    cls = source_class(config.kind)
    args: tuple[Any, ...]
    if isinstance(config, FolderSourceConfig):
        args = (name, deployment.path(config.path), config.patterns)
    elif isinstance(config, ImapSourceConfig):
        args = (
            name,
            config.host,
            config.port,
            config.username,
            wiring.secret(config.password_secret),
            config.mailbox,
            config.ssl,
        )
    elif isinstance(config, ItsmQueueSourceConfig):
        args = (name, wiring.connector(config.connection, agent=identity, kind="itsm"), config.queue)
    else:
        assert isinstance(config, GraphMailboxSourceConfig)
        args = (name, wiring.mail_reader(config.connection, agent=identity), config.user)
    return cls(*args)


def build_runner(
    deployment: Deployment,
    *,
    database: str | None = None,
    metrics: RuntimeMetrics | None = None,
    wiring: Wiring | None = None,
    runner_class: Callable[..., Runner] = Runner,
    **extra: Any,
) -> tuple[Runner, Wiring]:
    """The runner for every enabled agent of `deployment` and the sources that feed them
    (`runner_class` and `extra`: the scale-out scheduler, a `Runner` that publishes its items)."""
    wiring = wiring or build_wiring(deployment, database=database)
    spool = deployment.path(Path(".opspack") / "spool")
    handlers: dict[str, AgentHandler] = {}
    routes: dict[str, AgentHandler] = {}
    sources: dict[str, Source] = {}
    for name, agent in deployment.agents.items():
        if not agent.enabled:
            continue
        handler = handlers[name] = build_handler(agent, wiring, spool)
        for source in agent.sources:
            sources[source] = build_source(source, deployment, wiring)
            routes[source] = handler
    now = datetime.now(UTC)
    schedules = []
    for name, config in deployment.schedules.items():
        timing = cron_schedule(config.cron)
        schedules.append(Schedule(name, config, timing, timing.next_after(now)))
    runner = runner_class(
        wiring.store,
        sources,
        routes,
        handlers=list(handlers.values()),
        schedules=schedules,
        run_task=lambda name, config, at: run_task(name, config, wiring, at),
        poll_seconds=deployment.runtime.poll_seconds,
        approvals_seconds=deployment.runtime.approvals_seconds,
        metrics=metrics,
        refresh_policy=wiring.refresh_policy,
        **extra,
    )
    return runner, wiring
