"""Real processes for the scale-out tests and benchmarks: served mocks, `opspack scheduler`, any
number of `opspack worker`s on RabbitMQ or Redis and PostgreSQL, and the checks that follow a run
(nothing lost, nothing done twice, no false exception, the ledger verifies)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import chdir, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
import yaml

from opspack.mock_connections import MockSecrets, served_connections
from opspack.settings import DEFAULT_CONNECTIONS_PATH

ROOT = Path(__file__).resolve().parents[2]
RABBITMQ = os.environ.get("OPSPACK_TEST_RABBITMQ", "amqp://guest:guest@127.0.0.1:5672//")
REDIS = os.environ.get("OPSPACK_TEST_REDIS", "redis://127.0.0.1:6379/0")
DESK_FIXTURES = ROOT / "fixtures" / "service_desk" / "servicenow"


def port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def broker_missing(url: str) -> str | None:
    """Why the broker at `url` cannot be used here, or None."""
    from kombu import Connection

    try:
        with Connection(url, connect_timeout=2) as connection:
            connection.ensure_connection(max_retries=1)
    except Exception as exc:
        return f"broker {url.split('@')[-1]} not reachable ({type(exc).__name__}: {exc})"
    return None


def env() -> dict[str, str]:
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
    return {**os.environ, "PYTHONPATH": path, "OPSPACK_NO_LIVE_CALLS": "1"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def served_mocks(workdir: Path, *extra: str) -> Iterator[str]:
    """`opspack mocks serve [extra...]` on a free port; yields its base URL."""
    port = free_port()
    log = (workdir / f"mocks-{port}.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "opspack.cli", "mocks", "serve", "--port", str(port), *extra],
        cwd=workdir,
        env=env(),
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    try:
        deadline = time.monotonic() + 60
        while not port_open("127.0.0.1", port):
            assert process.poll() is None, (workdir / f"mocks-{port}.log").read_text()
            assert time.monotonic() < deadline, "opspack mocks serve did not start listening"
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


def write_connections(path: Path, url: str, names: list[str]) -> Path:
    example = yaml.safe_load(DEFAULT_CONNECTIONS_PATH.read_text(encoding="utf-8"))
    path.write_text(
        yaml.safe_dump(served_connections(url, names, example), sort_keys=False), encoding="utf-8"
    )
    return path


def write_deployment(
    workdir: Path, url: str, database: str, *, invoices: Path | None, desk: bool, poll: float = 0.5
) -> Path:
    names = (["sap"] if invoices else []) + (["servicenow", "okta"] if desk else [])
    connections = write_connections(workdir / "connections.yaml", url, names)
    agents: dict[str, Any] = {}
    sources: dict[str, Any] = {}
    if invoices is not None:
        agents["ap"] = {"type": "ap", "connections": {"erp": "sap"}, "sources": ["invoices"]}
        sources["invoices"] = {"kind": "folder", "path": str(invoices), "patterns": ["*.json", "*.pdf"]}
    if desk:
        agents["desk"] = {
            "type": "service_desk",
            "connections": {"itsm": "servicenow", "directory": "okta"},
            "sources": ["desk-queue"],
        }
        sources["desk-queue"] = {"kind": "itsm_queue", "connection": "servicenow", "queue": "Service Desk"}
    document = {
        "database": database,
        "connections": str(connections),
        "runtime": {"poll_seconds": poll, "approvals_seconds": poll},
        "sources": sources,
        "agents": agents,
    }
    path = workdir / "opspack.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path


def file_tickets(url: str, count: int, *, tag: str) -> list[str]:
    """File `count` tickets in the served ServiceNow's "Service Desk" queue; their numbers."""
    secrets = MockSecrets()
    session = requests.Session()
    session.auth = (
        secrets.get("servicenow/service_desk/username"),
        secrets.get("servicenow/service_desk/password"),
    )
    table = f"{url}/api/now/table"

    def one(path: str, query: str) -> dict[str, Any]:
        return dict(_ask(session, "GET", f"{table}/{path}", params={"sysparm_query": query})["result"][0])

    desk = one("sys_user_group", "name=Service Desk")
    callers = [one("sys_user", f"user_name={name}") for name in ("beth.anglin", "david.loo")]
    texts = (
        ("Laptop freezing", "My laptop keeps freezing since the last update, it is extremely slow."),
        ("Visio", "Could I get Microsoft Visio installed for the floor plans?"),
        ("Password", "I forgot my password and cannot log in to the portal."),
        ("VPN", "The VPN drops every few minutes when I work from home."),
    )
    numbers = []
    for n in range(count):
        short, text = texts[n % len(texts)]
        body = {
            "short_description": f"{short} ({tag}-{n})",
            "description": text,
            "caller_id": callers[n % 2]["sys_id"],
            "assignment_group": desk["sys_id"],
        }
        numbers.append(str(_ask(session, "POST", f"{table}/incident", json=body)["result"]["number"]))
    return numbers


def open_desk_tickets(url: str) -> list[str]:
    """Numbers of the open tickets in the served ServiceNow's "Service Desk" queue."""
    secrets = MockSecrets()
    session = requests.Session()
    session.auth = (
        secrets.get("servicenow/service_desk/username"),
        secrets.get("servicenow/service_desk/password"),
    )
    table = f"{url}/api/now/table"
    desk = _ask(session, "GET", f"{table}/sys_user_group", params={"sysparm_query": "name=Service Desk"})
    group = desk["result"][0]["sys_id"]
    query = {"sysparm_query": f"assignment_group={group}^active=true", "sysparm_limit": "100000"}
    return [str(row["number"]) for row in _ask(session, "GET", f"{table}/incident", params=query)["result"]]


def _ask(session: requests.Session, method: str, url: str, **kwargs: Any) -> dict[str, Any]:
    """One call to a served mock that may inject faults: asked again until it answers 2xx."""
    for attempt in range(40):
        try:
            answer = session.request(method, url, timeout=30, **kwargs)
            if 200 <= answer.status_code < 300:
                found: dict[str, Any] = answer.json()
                return found
        except requests.RequestException:
            pass
        time.sleep(0.02 * (attempt + 1))
    raise AssertionError(f"{method} {url} kept failing")


@dataclass
class Fleet:
    """The processes of one scale-out run."""

    workdir: Path
    config: Path
    broker: str
    prefix: str = field(default_factory=lambda: f"t{uuid.uuid4().hex[:10]}")
    extra_env: dict[str, str] = field(default_factory=dict)
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)
    scheduler: subprocess.Popen[bytes] | None = None
    logs: list[Path] = field(default_factory=list)

    def _start(self, *args: str) -> subprocess.Popen[bytes]:
        log = self.workdir / f"{args[0]}-{len(self.logs)}.log"
        self.logs.append(log)
        with log.open("wb") as handle:
            return subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "opspack.cli",
                    *args,
                    "--config",
                    str(self.config),
                    "--broker",
                    self.broker,
                    "--queue-prefix",
                    self.prefix,
                ],
                cwd=self.workdir,
                env={**env(), **self.extra_env},
                stdout=handle,
                stderr=subprocess.STDOUT,
            )

    def start_worker(self, *args: str) -> subprocess.Popen[bytes]:
        worker = self._start("worker", *args)
        self.workers.append(worker)
        return worker

    def start_scheduler(self, *args: str) -> subprocess.Popen[bytes]:
        self.scheduler = self._start("scheduler", *args)
        return self.scheduler

    def stop(self) -> None:
        for process in [*self.workers, *([self.scheduler] if self.scheduler else [])]:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in [*self.workers, *([self.scheduler] if self.scheduler else [])]:
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def log_lines(self) -> list[dict[str, Any]]:
        found = []
        for log in self.logs:
            for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
                if line.startswith("{"):
                    try:
                        found.append(json.loads(line))
                    except ValueError:
                        continue
        return found

    def tail(self, lines: int = 30) -> str:
        return "\n".join(
            f"== {log.name}\n" + "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
            for log in self.logs
        )


def wait_until(done: Callable[[], bool], timeout: float, every: float = 0.5) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if done():
            return True
        time.sleep(every)
    return done()


def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def run_fleet(
    workdir: Path,
    database: str,
    broker: str,
    *,
    invoices: int,
    tickets: int,
    workers: int,
    faults: float = 0.2,
    latency: float = 0.0,
    kill_one: bool = True,
    timeout: float = 600,
    extra_env: dict[str, str] | None = None,
    seed: int = 7,
    trade_orders: int = 0,
) -> Any:
    """Serve the mocks (faults, latency; with `trade_orders`, the SAP mock seeded with that many more
    received orders by `write_bench_trade`), write `invoices` invoice files and file `tickets` tickets,
    run one scheduler and `workers` workers (kill -9 one of them mid-run and start a replacement),
    wait until every item is done, and check the run."""
    with chdir(workdir):  # the ledger keys and anchors of this process are the workers' (.opspack/)
        return _run_fleet(workdir, database, broker, invoices, tickets, workers, faults, latency, kill_one, timeout, extra_env, seed, trade_orders)  # fmt: skip


def _run_fleet(
    workdir: Path,
    database: str,
    broker: str,
    invoices: int,
    tickets: int,
    workers: int,
    faults: float,
    latency: float,
    kill_one: bool,
    timeout: float,
    extra_env: dict[str, str] | None,
    seed: int,
    trade_orders: int,
) -> Any:
    from agents.ap.synthetic_inbox import write_inbox
    from connectors.errors import ConnectorError
    from governance.ledger import Ledger
    from governance.store import Store
    from opspack.runtime.work_items import WorkItems
    from opspack.wiring import mock_erp

    args = ["--seed", f"servicenow={DESK_FIXTURES}", "--latency", str(latency)]
    if trade_orders:
        from scaleout_trade import write_bench_trade

        args += ["--seed", f"sap_s4hana={write_bench_trade(workdir / 'sap-trade', trade_orders)}"]
    if faults:
        args += ["--faults", f"*={faults},kinds=5xx+429+drop,retry_after=0.1,seed={seed}"]
    with served_mocks(workdir, *args) as url:
        inbox = workdir / "inbox"
        manifest: list[Any] = []
        for attempt in range(20):  # reading the ERP meets the injected faults too: read again
            try:
                manifest = write_inbox(mock_erp("sap", url), inbox, invoices, seed=seed) if invoices else []
                break
            except ConnectorError:
                time.sleep(0.1 * attempt)
        numbers = open_desk_tickets(url) if tickets and file_tickets(url, tickets, tag=workdir.name) else []
        expected = len(manifest) + len(numbers)
        config = write_deployment(
            workdir, url, database, invoices=inbox if invoices else None, desk=bool(tickets)
        )
        fleet = Fleet(workdir, config, broker, extra_env=dict(extra_env or {}))
        store = Store(database)
        Ledger(store).keys  # noqa: B018 -- keys made once, before any worker appends
        claims = WorkItems(store)
        try:
            for _ in range(workers):
                fleet.start_worker()
            ready = wait_until(  # start-up is import-bound: a loaded machine takes minutes
                lambda: all("ready." in log.read_text(errors="replace") for log in fleet.logs),
                max(180.0, timeout / 8),
            )
            assert ready, fleet.tail()
            started = time.monotonic()
            fleet.start_scheduler()
            # steady state: from the first item done (the scheduler's start-up is not the workers')
            wait_until(lambda: claims.counts()["done"] >= 1, timeout, every=0.1)
            first, first_done = time.monotonic(), claims.counts()["done"]

            def finished() -> bool:
                counts = claims.counts()
                return counts["done"] + counts["dead"] >= expected

            if kill_one and workers:
                wait_until(lambda: claims.counts()["done"] >= expected // 3, timeout)
                victim = fleet.workers[0]
                victim.send_signal(signal.SIGKILL)
                victim.wait()
                fleet.start_worker()
            done = wait_until(finished, timeout, every=0.25)
            ended = time.monotonic()
            seconds = ended - started
            assert done, f"not finished: {claims.counts()}\n{fleet.tail()}"
        finally:
            fleet.stop()
        from scaleout_checks import ChaosReport, check_run

        report: ChaosReport = check_run(store, url, expected, manifest, seconds, fleet.log_lines())
        report.steady_items, report.steady_seconds = expected - first_done, ended - first
        return report
