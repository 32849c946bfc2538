"""Shared service desk fixtures: a governed stack over the sample desk, directory and ERP (in memory)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from agents.service_desk.config import ServiceDeskConfig, load_config
from agents.service_desk.facts import ServiceDeskSystems
from agents.service_desk.sample import fake_desk
from agents.service_desk.wiring import ServiceDeskStack
from connectors.directory.fake import FakeDirectory
from connectors.directory.models import UserStatus
from connectors.directory.protocol import DirectoryConnector
from connectors.erp.fake import FakeERP
from connectors.itsm.fake import FakeITSM
from connectors.itsm.models import Priority, Ticket, TicketState
from connectors.itsm.protocol import ITSMConnector
from governance.policy import Policy, load_policy
from governance.store import Store

POLICY = Path(__file__).resolve().parents[3] / "fixtures" / "policy.yaml"
OPENED = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def ticket(
    number: str,
    caller: str | None,
    text: str,
    *,
    subject: str = "Help",
    reopen_count: int = 0,
    priority: Priority = Priority.MODERATE,
) -> Ticket:
    return Ticket(
        number=number,
        short_description=subject,
        description=text,
        state=TicketState.NEW,
        priority=priority,
        caller=caller,
        assignment_group="Service Desk",
        opened_at=OPENED,
        reopen_count=reopen_count,
    )


class Clock:
    """A settable clock: starts half an hour after the tickets were opened."""

    def __init__(self) -> None:
        self.now = OPENED + timedelta(minutes=30)

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Desk:
    itsm: ITSMConnector
    directory: DirectoryConnector
    erp: FakeERP
    store: Store
    clock: Clock
    policy: Policy
    config: ServiceDeskConfig
    directory_system: str = "okta"

    def stack(self) -> ServiceDeskStack:
        """A fresh stack on the same systems and store: what a restarted process would build."""
        systems = ServiceDeskSystems(
            itsm=self.itsm,
            directory=self.directory,
            erp=self.erp,
            itsm_system="servicenow",
            directory_system=self.directory_system,
            erp_system="sap",
        )
        return ServiceDeskStack.build(
            self.store,
            systems,
            policy=self.policy,
            config=self.config,
            clock=self.clock,
            sleep=lambda s: None,
        )

    @property
    def fake_itsm(self) -> FakeITSM:
        assert isinstance(self.itsm, FakeITSM)
        return self.itsm

    @property
    def fake_directory(self) -> FakeDirectory:
        assert isinstance(self.directory, FakeDirectory)
        return self.directory

    def lock(self, handle: str) -> None:
        self.fake_directory.set_status(self.user_id(handle), UserStatus.LOCKED)

    def user_id(self, handle: str) -> str:
        user = self.directory.find_user(login=f"{handle}@acme.example")
        assert user is not None
        return user.id


DeskFactory = Callable[..., Desk]


@pytest.fixture
def make_desk(tmp_path: Path) -> Iterator[DeskFactory]:
    stores: list[Store] = []

    def build(tickets: Iterable[Ticket] = (), *, directory_system: str = "okta", **config: object) -> Desk:
        store = Store(f"sqlite:///{tmp_path / f'desk-{len(stores)}.db'}")
        stores.append(store)
        base = load_config()
        clock = Clock()
        return Desk(
            itsm=fake_desk(tickets, clock=clock),
            directory=FakeDirectory.sample(clock=clock),
            erp=FakeERP.sample(),
            store=store,
            clock=clock,
            policy=load_policy(POLICY),
            config=base.model_copy(update=config) if config else base,
            directory_system=directory_system,
        )

    yield build
    for store in stores:
        store.dispose()
