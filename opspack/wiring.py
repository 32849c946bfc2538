"""One wiring: policy, store, connectors and agent stacks, built from configuration alone.

Every command and the runtime get what an agent needs from here: the policy file, the store
(``.opspack/opspack.db`` unless a database URL is given), and each connector built through
`connectors.registry` from a connections file (``--connections``, else ``OPSPACK_CONNECTIONS``,
else the example file) with its secrets resolved by the secret provider. A mock is just a
connection: a ``*.mock`` host is served in-process by the vendor's mock (`opspack.mock_connections`),
a served mock is an ordinary URL. Agents get the connection *names* they use from the caller (the
deployment file or a command's options) -- no vendor name is a default anywhere below.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import requests

from connectors.crm.protocol import CRMConnector
from connectors.directory.protocol import DirectoryConnector
from connectors.erp.protocol import ERPConnector
from connectors.errors import ConfigurationError
from connectors.itsm.protocol import ITSMConnector
from connectors.registry import (
    ConnectionConfig,
    ConnectionsConfig,
    build_connector,
    load_connections,
    resolve_credentials,
)
from governance.identity import CredentialRegistry
from governance.policy import Policy, load_policy
from governance.runtime import Governor, PerformersFactory
from governance.secrets import ChainSecretProvider, EnvSecretProvider, SecretProvider, default_provider
from governance.store import Store
from opspack.mock_connections import MockSecrets, host_of, in_process_mock, is_mock_host
from opspack.policy_watch import PolicyWatch
from opspack.settings import DEFAULT_CONNECTIONS_PATH, connections_path, policy_path

if TYPE_CHECKING:
    from agents.ap.agent import APAgent
    from agents.intake.wiring import IntakeStack
    from agents.service_desk.wiring import ServiceDeskStack

KINDS: dict[str, type[Any]] = {
    "erp": ERPConnector,
    "itsm": ITSMConnector,
    "crm": CRMConnector,
    "directory": DirectoryConnector,
}


@dataclass(frozen=True)
class ApprovalWiring:
    """How a command that decides approvals builds its Governor: with the performers `performers`
    makes for the requesting agent, so an approval executes at once; with none (the default), the
    approval is recorded and the action runs at its agent's next submit. Passed explicitly -- as
    the command's context object (``typer.Context.obj``) or a constructor argument -- never set
    process-wide."""

    performers: PerformersFactory | None = None

    def governor(self, policy: Policy, store: Store, agent: str) -> Governor:
        performers = self.performers(policy, agent) if self.performers is not None else {}
        return Governor(policy, store, performers)


CONNECTION_HOSTS: dict[str, str] = {}
"""Connection name → host of every connection built in this process, so that any command's error
line can name the host it was talking to (`describe_error`)."""


def describe_error(exc: BaseException) -> str:
    """The error's one line, with the host of the connection it came from when it is known."""
    text = str(exc).strip() or type(exc).__name__
    host = CONNECTION_HOSTS.get(str(getattr(exc, "vendor", "")))
    if host and host not in text:
        text = f"{text} [host {host}]"
    return text


@dataclass
class Wiring:
    """Everything built from one connections file, one policy and one database."""

    connections: ConnectionsConfig
    policy: Policy
    store: Store
    secrets: SecretProvider
    mock_fixtures: Mapping[str, Path] = field(default_factory=dict)
    """Connection name → fixtures folder to seed its in-process mock from (``*.mock`` hosts only)."""
    sleep: Callable[[float], None] | None = None
    policy_file: Path | None = None
    """Where the policy came from: watched by `refresh_policy` (None: a policy given as an object)."""
    _mocks: dict[str, Any] = field(default_factory=dict, repr=False)
    _governors: list[Governor] = field(default_factory=list, repr=False)
    _watch: PolicyWatch | None = field(default=None, repr=False)

    @classmethod
    def load(
        cls,
        *,
        connections: Path | None = None,
        policy: Path | Policy | None = None,
        database: str | None = None,
        store: Store | None = None,
        secrets: SecretProvider | None = None,
        mock_fixtures: Mapping[str, Path] | None = None,
    ) -> Wiring:
        """Read the files (each defaulting as the settings say) and open the store."""
        config = load_connections(connections or connections_path())
        if isinstance(policy, Policy):
            policy_file, loaded = None, policy
        else:
            policy_file = Path(policy or policy_path())
            loaded = load_policy(policy_file)
        return cls(
            connections=config,
            policy=loaded,
            policy_file=policy_file,
            store=store or Store(database),
            secrets=secrets or default_provider(),
            mock_fixtures=dict(mock_fixtures or {}),
        )

    # --- connections --------------------------------------------------------------------------

    def connection(self, name: str) -> ConnectionConfig:
        return self.connections.get(name)

    def mock(self, name: str) -> Any | None:
        """The in-process mock behind connection `name` (shared by every agent), or None."""
        connection = self.connection(name)
        if not is_mock_host(connection):
            return None
        if name not in self._mocks:
            self._mocks[name] = in_process_mock(connection, self.mock_fixtures.get(name))
        return self._mocks[name]

    def _session(self, name: str, agent: str) -> tuple[requests.Session, Callable[[str], str]]:
        """A session for connection `name` (the mock mounted on a ``*.mock`` host) and the
        secret resolver for `agent` on it."""
        connection = self.connection(name)
        CONNECTION_HOSTS[name] = host_of(connection.base_url)
        session = requests.Session()
        mock = self.mock(name)
        if mock is not None:
            from mocks.transport import mount_mocks

            if self.sleep is not None:
                mount_mocks(session, {connection.base_url: mock}, sleep=self.sleep)
            else:
                mount_mocks(session, {connection.base_url: mock})
            return session, ChainSecretProvider([EnvSecretProvider(), MockSecrets()]).get
        return session, CredentialRegistry(self.store, self.secrets).secrets_for(agent, name)

    def connector(self, name: str, *, agent: str, kind: str | None = None) -> Any:
        """Connection `name` authenticated as `agent`; with `kind`, checked to be that kind."""
        session, resolve = self._session(name, agent)
        connector = build_connector(self.connections, name, agent=agent, secrets=resolve, session=session)
        if kind is not None:
            self._check_kind(connector, name, kind)
        return connector

    def mail_reader(self, name: str, *, agent: str) -> Any:
        """The Outlook mail reader on Microsoft Graph connection `name`, authenticated as `agent`."""
        from connectors.msgraph.mail import GraphMailReader

        connection = self.connection(name)
        if connection.adapter != "msgraph":
            raise ConfigurationError(
                f"connection {name!r} ({connection.adapter}, {host_of(connection.base_url)}) is not a "
                "Microsoft Graph connection: a graph_mailbox source needs one",
                vendor=name,
            )
        session, resolve = self._session(name, agent)
        credentials = resolve_credentials(connection, agent, resolve)
        return GraphMailReader.from_config(connection, credentials, session)

    def secret(self, reference: str) -> str:
        """The value behind a ``secret:PATH`` reference of the deployment file."""
        return self.secrets.get(reference.removeprefix("secret:"))

    def checkpoint(self) -> None:
        """End of a run: a signed Merkle anchor over the ledger, written outside the database."""
        from governance.ledger import Ledger

        ledger = Ledger(self.store)
        if ledger.has_records():  # nothing to anchor in an empty ledger
            ledger.checkpoint()

    def _check_kind(self, connector: Any, name: str, kind: str) -> None:
        protocol = KINDS.get(kind)
        if protocol is None:
            raise ConfigurationError(f"unknown connection kind {kind!r} (known: {', '.join(KINDS)})")
        if not isinstance(connector, protocol):
            actual = getattr(connector, "kind", type(connector).__name__)
            raise ConfigurationError(
                f"connection {name!r} ({self.connection(name).adapter}, {host_of(self.connection(name).base_url)}) "
                f"is a {actual} connection, not {kind}",
                vendor=name,
            )

    # --- agents -------------------------------------------------------------------------------

    def governor(self, performers: Mapping[str, Any]) -> Governor:
        return self._watched(Governor(self.policy, self.store, performers))

    def _watched(self, governor: Governor) -> Governor:
        self._governors.append(governor)
        return governor

    def refresh_policy(self) -> bool:
        """Load the policy file again if it changed (a promotion, a demotion, an edit) and hand the
        new version to every Governor built here; True when it changed (`opspack.policy_watch`)."""
        if self.policy_file is None:
            return False
        if self._watch is None:
            self._watch = PolicyWatch(self.policy_file, self.policy)
        loaded = self._watch.changed()
        if loaded is None:
            return False
        self.policy = loaded
        for governor in self._governors:
            governor.policy = loaded
        return True

    def ap_agent(self, *, erp: str, agent: str = "ap_clerk") -> APAgent:
        """The AP three-way match agent on ERP connection `erp`."""
        from agents.ap.agent import APAgent
        from agents.performers import ERPPerformer

        connector = self.connector(erp, agent=agent, kind="erp")
        governor = self.governor({erp: ERPPerformer(connector)})
        return APAgent(governor, connector, system=erp, agent=agent)

    def service_desk(self, *, itsm: str, directory: str, erp: str | None = None) -> ServiceDeskStack:
        """The service desk stack on ITSM `itsm`, directory `directory` and (optionally) ERP `erp`."""
        from agents.service_desk.facts import ServiceDeskSystems
        from agents.service_desk.wiring import ServiceDeskStack

        agent = "service_desk"
        systems = ServiceDeskSystems(
            itsm=self.connector(itsm, agent=agent, kind="itsm"),
            directory=self.connector(directory, agent=agent, kind="directory"),
            erp=None if erp is None else self.connector(erp, agent=agent, kind="erp"),
            itsm_system=itsm,
            directory_system=directory,
            erp_system=erp or "",
        )
        stack = ServiceDeskStack.build(self.store, systems, policy=self.policy)
        self._watched(stack.governor)
        return stack

    def intake(self, *, crm: str, erp: str) -> IntakeStack:
        """The customer intake stack on CRM `crm` and ERP `erp`."""
        from agents.intake.wiring import IntakeStack

        agent = "customer_intake"
        stack = IntakeStack.build(
            self.store,
            policy=self.policy,
            crm=self.connector(crm, agent=agent, kind="crm"),
            crm_system=crm,
            erp=self.connector(erp, agent=agent, kind="erp"),
            erp_system=erp,
        )
        self._watched(stack.governor)
        return stack


def mock_erp(name: str, url: str | None = None, *, agent: str = "ap_clerk") -> ERPConnector:
    """ERP connection `name` of the example connections file on its mock: in-process (fresh
    fixtures) or, with `url`, the mock served there. For demos and tests that seed a mock."""
    if url is None:
        wiring = Wiring.load(connections=DEFAULT_CONNECTIONS_PATH, store=Store("sqlite://"))
        connector: ERPConnector = wiring.connector(name, agent=agent, kind="erp")
        return connector
    import yaml

    from opspack.mock_connections import served_connections

    example = yaml.safe_load(DEFAULT_CONNECTIONS_PATH.read_text(encoding="utf-8"))
    config = ConnectionsConfig.model_validate(served_connections(url, [name], example))
    built: ERPConnector = build_connector(config, name, agent=agent, secrets=lambda path: "")
    return built
