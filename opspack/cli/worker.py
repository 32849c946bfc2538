"""`opspack worker` and `opspack scheduler`: the deployment scaled out on Celery.

    opspack scheduler --config opspack.yaml            # one per deployment: polls, publishes
    opspack worker --config opspack.yaml [--agent ap]  # as many as you like, on any machine
    opspack metrics queues --config opspack.yaml       # queue depth, dead letters, item states

Broker: ``--broker`` / ``OPSPACK_BROKER_URL`` (RabbitMQ ``amqp://...`` by default, or Redis
``redis://...``); store: the deployment's database (PostgreSQL for more than one machine).
"""

from __future__ import annotations

import json
import logging
import os
import socket
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from opspack.cli.errors import one_line_errors
from opspack.cli.options import (
    DatabaseOption,
    DeploymentOption,
    HealthPortOption,
    JsonOption,
    LogLevelOption,
    database_url,
    start_observability,
)

BrokerOption = Annotated[
    str | None,
    typer.Option("--broker", help="Broker URL (default: $OPSPACK_BROKER_URL, else amqp://guest:guest@127.0.0.1:5672//)."),
]  # fmt: skip
PrefixOption = Annotated[
    str | None,
    typer.Option("--queue-prefix", help="Queue names <prefix>.<agent> (default: $OPSPACK_QUEUE_PREFIX, else opspack)."),
]  # fmt: skip

logger = logging.getLogger("opspack.runtime.worker")
T = TypeVar("T")


def _logging(level: str) -> None:
    """JSON log lines at `level` and tracing as ``OPSPACK_TRACING`` says, as for `opspack run`."""
    start_observability(level)


def _opened(build: Callable[[], T]) -> T:
    """`build()`, tried again a few times when the store cannot be opened yet: processes starting
    together on a fresh database race to create its tables (the loser sees a duplicate)."""
    from sqlalchemy.exc import IntegrityError, ProgrammingError

    from governance.errors import LedgerError

    for attempt in range(5):
        try:
            return build()
        # a table another process created between our check and our CREATE: the store's own
        # (LedgerError) or an agent's (the service desk's queue state raises the driver's error)
        except (LedgerError, IntegrityError, ProgrammingError):
            if attempt == 4:
                raise
            time.sleep(0.5 + attempt)
    raise AssertionError("unreachable")


def _agents(deployment: Any, chosen: list[str] | None) -> list[str]:
    enabled = [name for name, agent in deployment.agents.items() if agent.enabled]
    unknown = sorted(set(chosen or []) - set(enabled))
    if unknown:
        raise typer.BadParameter(f"--agent {', '.join(unknown)}: not an enabled agent ({', '.join(enabled)})")
    return list(chosen) if chosen else enabled


def worker(
    config: DeploymentOption = Path("opspack.yaml"),
    agent: Annotated[
        list[str] | None,
        typer.Option("--agent", help="Take only this agent's tasks (repeatable; default all)."),
    ] = None,
    broker: BrokerOption = None,
    queue_prefix: PrefixOption = None,
    database: DatabaseOption = None,
    concurrency: Annotated[
        int,
        typer.Option("--concurrency", min=1, help="Tasks at once (1: one process; more: a prefork pool)."),
    ] = 1,
    max_retries: Annotated[
        int, typer.Option("--max-retries", min=0, help="Retries before an item is dead-lettered.")
    ] = 5,
    name: Annotated[
        str | None, typer.Option("--name", help="Celery node name (default opspack-<pid>@<host>).")
    ] = None,
    health_port: HealthPortOption = None,
    log_level: LogLevelOption = "info",
) -> None:
    """Take the deployment's work items from the broker until SIGTERM (which finishes the task in hand)."""
    _logging(log_level)
    from celery import signals

    from opspack.deployment import load_deployment
    from opspack.runtime.celery_app import current_runtime, make_app, set_runtime_factory
    from opspack.runtime.health import HealthServer
    from opspack.runtime.metrics import RuntimeMetrics
    from opspack.runtime.queueing import QueueNames, broker_url
    from opspack.runtime.queueing import queue_prefix as prefix_of
    from opspack.runtime.worker import WorkerRuntime
    from opspack.runtime.worker_metrics import QueueCollector, WorkerMetrics

    with one_line_errors(FileNotFoundError):
        deployment = load_deployment(config)
        agents = _agents(deployment, agent)
        url, names = broker_url(broker), QueueNames(prefix_of(queue_prefix))
        metrics = WorkerMetrics()
        set_runtime_factory(
            lambda: WorkerRuntime(
                deployment,
                broker=url,
                names=names,
                database=database_url(database),
                max_retries=max_retries,
                metrics=metrics,
            )
        )
        runtime = _opened(current_runtime)  # fails fast on a wrong database or deployment
        if concurrency == 1:
            runtime.warm_up(agents)
        app = make_app(url, names)
    state = {"consuming": False, "stopping": False}
    signals.worker_ready.connect(lambda **_: state.update(consuming=True), weak=False)
    signals.worker_shutting_down.connect(lambda **_: state.update(stopping=True), weak=False)
    server = None
    if health_port is not None:
        served = RuntimeMetrics(metrics.registry)
        served.include(QueueCollector(url, names, lambda: agents, runtime.claims))
        server = HealthServer(
            port=health_port,
            ready=lambda: (
                state["consuming"] and not state["stopping"],
                "stopping" if state["stopping"] else ("consuming" if state["consuming"] else "starting"),
            ),
            metrics=served,
        ).start()
        typer.echo(json.dumps({"health": server.url}), err=True)
    if log_level.upper() != "DEBUG":  # Celery logs every task's arguments (whole invoices) at info
        for noisy in ("celery.worker.strategy", "celery.app.trace"):
            logging.getLogger(noisy).setLevel(logging.WARNING)
    queues = ",".join(names.work(a) for a in agents)
    node = name or f"opspack-{os.getpid()}@{socket.gethostname()}"
    argv = ["worker", "-Q", queues, "-n", node, "--loglevel", log_level.upper()]
    argv += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
    argv += (
        ["--pool", "solo"] if concurrency == 1 else ["--pool", "prefork", "--concurrency", str(concurrency)]
    )
    logger.info("worker %s taking %s from %s", node, queues, app.connection().as_uri())
    try:
        app.worker_main(argv=argv)
    finally:
        if server is not None:
            server.stop()


def scheduler(
    config: DeploymentOption = Path("opspack.yaml"),
    broker: BrokerOption = None,
    queue_prefix: PrefixOption = None,
    database: DatabaseOption = None,
    once: Annotated[bool, typer.Option("--once", help="Poll every source once, publish, and exit.")] = False,
    health_port: HealthPortOption = None,
    log_level: LogLevelOption = "info",
) -> None:
    """Poll the deployment's sources and publish one task per new work item; run the schedules."""
    _logging(log_level)
    from governance.ledger import Ledger
    from opspack.deployment import load_deployment
    from opspack.runtime.build import build_runner, build_wiring
    from opspack.runtime.celery_app import make_app, publish
    from opspack.runtime.health import HealthServer
    from opspack.runtime.metrics import RuntimeMetrics
    from opspack.runtime.queueing import QueueNames, broker_url, encode_item
    from opspack.runtime.queueing import queue_prefix as prefix_of
    from opspack.runtime.runner import RuntimeMetrics as RunnerMetrics
    from opspack.runtime.scheduler import Scheduler
    from opspack.runtime.work_items import WorkItems
    from opspack.runtime.worker_metrics import QueueCollector, WorkerMetrics

    with one_line_errors(FileNotFoundError):
        deployment = load_deployment(config)
        agents = _agents(deployment, None)
        url, names = broker_url(broker), QueueNames(prefix_of(queue_prefix))
        app = make_app(url, names)
        wiring = _opened(lambda: build_wiring(deployment, database=database_url(database)))
        Ledger(wiring.store).keys  # noqa: B018 -- the ledger keys exist before any worker appends
        claims = WorkItems(wiring.store)
        agent_of = {s: a for a in agents for s in deployment.agents[a].sources}
        runner_metrics = RunnerMetrics()
        queue_metrics = WorkerMetrics(runner_metrics.registry)
        runner, _ = build_runner(
            deployment,
            wiring=wiring,
            metrics=runner_metrics,
            runner_class=Scheduler,
            agent_of=agent_of,
            claims=claims,
            publish=lambda agent, item: publish(app, names, agent, encode_item(item)),
            queue_metrics=queue_metrics,
        )
    runner.install_signal_handlers()
    server = None
    if health_port is not None:
        served = RuntimeMetrics(runner_metrics.registry)
        served.include(QueueCollector(url, names, lambda: agents, claims))
        server = HealthServer(
            port=health_port, ready=lambda: runner.ready and not runner.stopping, metrics=served
        ).start()
        typer.echo(json.dumps({"health": server.url}), err=True)
    logger.info("scheduler publishing %s to %s", ", ".join(agent_of) or "no sources", names.prefix)
    try:
        runner.run(once=once)
    finally:
        if server is not None:
            server.stop()
    logger.info("scheduler stopped after publishing %d item(s)", getattr(runner, "published", 0))


def queues(
    config: DeploymentOption = Path("opspack.yaml"),
    broker: BrokerOption = None,
    queue_prefix: PrefixOption = None,
    database: DatabaseOption = None,
    as_json: JsonOption = False,
    show_dead: Annotated[
        int,
        typer.Option(
            "--show-dead", min=0, help="Also list up to N dead letters per agent (left on the queue)."
        ),
    ] = 0,
) -> None:
    """Queue depth and dead-letter size per agent (from the broker) and item states (from the store)."""
    from opspack.deployment import load_deployment
    from opspack.runtime.build import build_wiring
    from opspack.runtime.queueing import QueueNames, broker_url, depths, read_dead_letters
    from opspack.runtime.queueing import queue_prefix as prefix_of
    from opspack.runtime.work_items import WorkItems

    with one_line_errors(FileNotFoundError):
        deployment = load_deployment(config)
        agents = _agents(deployment, None)
        url, names = broker_url(broker), QueueNames(prefix_of(queue_prefix))
        claims = WorkItems(build_wiring(deployment, database=database_url(database)).store)
        report: dict[str, dict[str, Any]] = {
            agent: {**found, "items": claims.counts(agent), "outcomes": claims.outcomes(agent)}
            for agent, found in depths(url, names, agents).items()
        }
        for agent in agents if show_dead else []:
            report[agent]["dead"] = [
                {k: letter.get(k) for k in ("reason", "dead_at", "agent")}
                | {"item": (letter.get("item") or {}).get("key")}
                for letter in read_dead_letters(url, names.dead(agent), limit=show_dead)
            ]
    if as_json:
        typer.echo(json.dumps(report, indent=2, sort_keys=True))
        return
    for agent, found in report.items():
        items = ", ".join(f"{k} {v}" for k, v in found["items"].items())
        typer.echo(
            f"{agent}: queue {names.work(agent)} depth {found['queued']}, "
            f"dead letters {found['dead_letters']}; items {items}"
        )
        for letter in found.get("dead", []):
            typer.echo(f"  dead: {letter['item']}: {letter['reason']} ({letter['dead_at']})")
