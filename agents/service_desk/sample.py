"""The sample service desk: the directory's sample organisation as ITSM callers, plus the desk's
assignment groups and catalogue -- the same records the generated ServiceNow and JSM fixtures
hold (fixtures/service_desk/generate_itsm_fixtures.py), so replay, tests and mocks agree.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from connectors.directory.models import UserStatus
from connectors.directory.sample import SAMPLE_PEOPLE, SamplePerson
from connectors.itsm.fake import FakeITSM
from connectors.itsm.models import CatalogItem, CatalogItemKind, ITSMUser, Ticket

DESK_GROUPS: tuple[str, ...] = (
    "Service Desk",
    "Service Desk L2",
    "Network",
    "Hardware",
    "Software",
    "Identity and Access",
    "HR Services",
    "Procurement",
)
DESK_CATALOGUE: tuple[CatalogItem, ...] = (
    CatalogItem(name="Adobe Acrobat Pro", kind=CatalogItemKind.SOFTWARE, description="PDF editor licence"),
    CatalogItem(name="Microsoft Visio", kind=CatalogItemKind.SOFTWARE, description="Diagramming"),
    CatalogItem(name="Tableau Desktop", kind=CatalogItemKind.SOFTWARE, description="Analytics"),
    CatalogItem(name="VPN access", kind=CatalogItemKind.ACCESS, description="Remote access to the network"),
    CatalogItem(name="Shared drive access", kind=CatalogItemKind.ACCESS, description="A department share"),
    CatalogItem(name="Salesforce access", kind=CatalogItemKind.ACCESS, description="CRM licence"),
    CatalogItem(name="Standard laptop", kind=CatalogItemKind.HARDWARE, description="14-inch business laptop"),
    CatalogItem(name="External monitor", kind=CatalogItemKind.HARDWARE, description="27-inch monitor"),
)


def itsm_user(person: SamplePerson) -> ITSMUser:
    """How the ITSM tool knows a sample person: user name = login handle, e-mail = the login."""
    return ITSMUser(
        user_name=person.handle,
        email=person.login,
        display_name=person.display_name,
        active=person.status not in (UserStatus.SUSPENDED, UserStatus.DEPROVISIONED),
        department=person.department,
        title=person.title,
        locked_out=False,
    )


def desk_users(extra: Iterable[ITSMUser] = ()) -> tuple[ITSMUser, ...]:
    """Every sample person as a caller, then `extra` callers (which may replace one by user name)."""
    users = {u.user_name.casefold(): u for u in map(itsm_user, SAMPLE_PEOPLE)}
    users.update({u.user_name.casefold(): u for u in extra})
    return tuple(users.values())


def fake_desk(
    tickets: Iterable[Ticket] = (),
    *,
    extra_users: Iterable[ITSMUser] = (),
    groups: Iterable[str] = DESK_GROUPS,
    catalogue: Iterable[CatalogItem] = DESK_CATALOGUE,
    clock: Callable[[], datetime] | None = None,
) -> FakeITSM:
    """A `FakeITSM` holding the sample desk and `tickets`."""
    return FakeITSM(
        users=desk_users(extra_users), groups=groups, catalog_items=catalogue, tickets=tickets, clock=clock
    )
