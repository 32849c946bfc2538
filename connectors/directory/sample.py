"""A sample organisation: one roster that the fake, both mocks' fixtures and the tests share.

It is written in vendor-neutral terms. ``fixtures/okta/generate_identity_fixtures.py`` renders it
into Okta's and Microsoft Graph's wire formats, and `FakeDirectory.sample()` loads it directly, so
a conformance test can name the same people and groups against every backend.

The roster is built to exercise what goes wrong at a help desk: look-alike logins (``jsmith`` /
``jsmlth``, ``kmorris`` / ``krnorris``, ``apatel`` / ``apate1``), an admin whose second account
shares an ordinary user's e-mail, locked users, a suspended leaver, managers for out-of-band
approval, and privileged groups beside everyday ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from connectors.directory.models import UserStatus

SAMPLE_DOMAIN = "acme.example"
"""Every sample login is ``<handle>@acme.example``."""

SAMPLE_EPOCH = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)
"""Fixed origin for every sample timestamp, so fixtures are reproducible."""


@dataclass(frozen=True)
class SamplePerson:
    """One person in the sample organisation."""

    handle: str
    """Local part of the login, e.g. ``jsmith``."""
    first_name: str
    last_name: str
    department: str
    title: str
    manager: str | None = None
    """The manager's handle."""
    status: UserStatus = UserStatus.ACTIVE
    groups: tuple[str, ...] = ()
    """Names of the groups the person is a direct member of."""
    email_handle: str | None = None
    """Local part of the e-mail when it differs from the login (shared mailbox, admin account)."""

    @property
    def login(self) -> str:
        return f"{self.handle}@{SAMPLE_DOMAIN}"

    @property
    def email(self) -> str:
        return f"{self.email_handle or self.handle}@{SAMPLE_DOMAIN}"

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


@dataclass(frozen=True)
class SampleGroup:
    """One group in the sample organisation."""

    name: str
    description: str
    role_assignable: bool = False
    """Whether the group can hold directory admin roles (an Entra role-assignable group)."""
    sensitive: bool = False
    """Whether a sensible policy treats it as privileged (documentation for tests, not vendor data)."""


SAMPLE_GROUPS: tuple[SampleGroup, ...] = (
    SampleGroup("Domain Admins", "Tier-0 directory administrators", role_assignable=True, sensitive=True),
    SampleGroup("Identity-Admins", "Can manage users, groups and MFA", role_assignable=True, sensitive=True),
    SampleGroup("Finance-Approvers", "Approve supplier invoices and payments", sensitive=True),
    SampleGroup("Prod-DB-Admins", "Administer production databases", sensitive=True),
    SampleGroup("Payments-Release", "Release payment runs to the bank", sensitive=True),
    SampleGroup("VPN-Users", "Remote access VPN"),
    SampleGroup("Confluence-Readers", "Read access to the wiki"),
    SampleGroup("Figma-Licensed", "Figma editor licence"),
    SampleGroup("Zoom-Licensed", "Zoom licence"),
    SampleGroup("Jira-Users", "Jira Software access"),
    SampleGroup("GitHub-Readers", "Read access to internal repositories"),
    SampleGroup("Sales-Dashboards", "Sales reporting dashboards"),
    SampleGroup("Office-Printers", "Print queue access"),
    SampleGroup("All-Staff", "Everyone employed by Acme"),
    SampleGroup("Service-Desk", "Service desk analysts"),
)

_BASE = ("All-Staff", "VPN-Users", "Confluence-Readers")

# fmt: off
SAMPLE_PEOPLE: tuple[SamplePerson, ...] = (
    SamplePerson("rmorgan", "Rachel", "Morgan", "Executive", "Chief Executive Officer", None, groups=_BASE),
    SamplePerson("dchen", "David", "Chen", "IT", "Chief Information Officer", "rmorgan", groups=_BASE),
    SamplePerson("aokafor", "Amara", "Okafor", "Finance", "Chief Financial Officer", "rmorgan",
                 groups=(*_BASE, "Finance-Approvers", "Payments-Release")),
    SamplePerson("lrossi", "Luca", "Rossi", "Sales", "VP Sales", "rmorgan",
                 groups=(*_BASE, "Sales-Dashboards")),
    SamplePerson("pnair", "Priya", "Nair", "Engineering", "VP Engineering", "rmorgan",
                 groups=(*_BASE, "Jira-Users", "GitHub-Readers")),
    SamplePerson("cdavis", "Chloe", "Davis", "HR", "HR Director", "rmorgan", groups=_BASE),
    SamplePerson("tkowalski", "Tomasz", "Kowalski", "IT", "Identity Administrator", "dchen",
                 groups=(*_BASE, "Domain Admins", "Identity-Admins")),
    SamplePerson("rlopez", "Ricardo", "Lopez", "IT", "Service Desk Lead", "dchen",
                 groups=(*_BASE, "Service-Desk", "Jira-Users")),
    SamplePerson("nthomas", "Noah", "Thomas", "IT", "Service Desk Analyst", "rlopez",
                 groups=(*_BASE, "Service-Desk")),
    SamplePerson("egreen", "Eva", "Green", "IT", "Systems Engineer", "dchen", UserStatus.PASSWORD_EXPIRED,
                 groups=(*_BASE, "Jira-Users")),
    SamplePerson("jsmith", "John", "Smith", "Finance", "AP Specialist", "mmiller",
                 groups=(*_BASE, "Office-Printers")),
    SamplePerson("jsmlth", "Jacob", "Smlth", "Sales", "Account Executive", "lrossi", groups=_BASE),
    SamplePerson("jsmith2", "James", "Smith", "Engineering", "Software Engineer", "pnair",
                 groups=(*_BASE, "Jira-Users", "GitHub-Readers")),
    SamplePerson("mmiller", "Mark", "Miller", "Finance", "AP Manager", "aokafor",
                 groups=(*_BASE, "Finance-Approvers")),
    SamplePerson("iali", "Ibrahim", "Ali", "Finance", "Accountant", "mmiller", groups=_BASE),
    SamplePerson("owright", "Oliver", "Wright", "Finance", "Treasury Analyst", "aokafor", UserStatus.SUSPENDED,
                 groups=(*_BASE, "Payments-Release")),
    SamplePerson("kmorris", "Kate", "Morris", "HR", "HR Business Partner", "cdavis", groups=_BASE),
    SamplePerson("krnorris", "Kevin", "Rnorris", "Support", "Support Agent", "gwilson", groups=_BASE),
    SamplePerson("apatel", "Anil", "Patel", "Engineering", "Staff Engineer", "pnair",
                 groups=(*_BASE, "Jira-Users", "GitHub-Readers", "Prod-DB-Admins")),
    SamplePerson("apate1", "Arjun", "Pate", "Marketing", "Marketing Intern", "ymurphy",
                 groups=("All-Staff",)),
    SamplePerson("hkim", "Hana", "Kim", "Engineering", "Database Administrator", "pnair",
                 groups=(*_BASE, "Prod-DB-Admins", "Jira-Users")),
    SamplePerson("snguyen", "Sofia", "Nguyen", "Engineering", "Software Engineer", "pnair",
                 groups=(*_BASE, "Jira-Users", "GitHub-Readers")),
    SamplePerson("fschmidt", "Felix", "Schmidt", "Engineering", "SRE", "pnair",
                 groups=(*_BASE, "Jira-Users")),
    SamplePerson("wlee", "William", "Lee", "Engineering", "QA Engineer", "pnair",
                 groups=(*_BASE, "Jira-Users")),
    SamplePerson("bwilliams", "Ben", "Williams", "Engineering", "Software Engineer", "pnair", UserStatus.LOCKED,
                 groups=(*_BASE, "Jira-Users")),
    SamplePerson("gwilson", "Grace", "Wilson", "Support", "Support Manager", "rmorgan", groups=_BASE),
    SamplePerson("lhernandez", "Lucia", "Hernandez", "Support", "Support Agent", "gwilson", UserStatus.LOCKED,
                 groups=_BASE),
    SamplePerson("mgarcia", "Maria", "Garcia", "Sales", "Account Executive", "lrossi",
                 groups=(*_BASE, "Sales-Dashboards")),
    SamplePerson("tbrown", "Tom", "Brown", "Sales", "Sales Engineer", "lrossi", UserStatus.LOCKED,
                 groups=(*_BASE, "Sales-Dashboards")),
    SamplePerson("qyoung", "Quinn", "Young", "Sales", "Account Manager", "lrossi", groups=_BASE),
    SamplePerson("ymurphy", "Yara", "Murphy", "Marketing", "Marketing Manager", "rmorgan",
                 groups=(*_BASE, "Figma-Licensed")),
    SamplePerson("ejohnson", "Emily", "Johnson", "Marketing", "Content Lead", "ymurphy",
                 groups=(*_BASE, "Figma-Licensed", "Zoom-Licensed")),
    SamplePerson("ejohnson.adm", "Emily", "Johnson (admin)", "Marketing", "Web Administrator", "ymurphy",
                 groups=("Identity-Admins",), email_handle="ejohnson"),
    SamplePerson("vmartin", "Victor", "Martin", "Design", "Design Lead", "ymurphy",
                 groups=(*_BASE, "Figma-Licensed")),
    SamplePerson("zjackson", "Zoe", "Jackson", "Design", "Product Designer", "vmartin", groups=_BASE),
    SamplePerson("ahall", "Alice", "Hall", "Legal", "General Counsel", "rmorgan", groups=_BASE),
    SamplePerson("ballen", "Bruno", "Allen", "Legal", "Legal Counsel", "ahall", groups=_BASE),
    SamplePerson("dscott", "Daniel", "Scott", "Procurement", "Procurement Manager", "aokafor",
                 groups=(*_BASE, "Finance-Approvers")),
    SamplePerson("cking", "Carla", "King", "Procurement", "Buyer", "dscott", groups=_BASE),
    SamplePerson("fadams", "Farah", "Adams", "Sales", "Sales Development Rep", "lrossi", UserStatus.STAGED,
                 groups=("All-Staff",)),
)
# fmt: on


def created_at(index: int) -> datetime:
    """When the ``index``-th sample person's account was created."""
    return SAMPLE_EPOCH - timedelta(days=400 - index * 7)


def password_changed_at(index: int) -> datetime:
    """When the ``index``-th sample person last set a password (within the last 90 days)."""
    return SAMPLE_EPOCH - timedelta(days=(index * 13) % 90 + 1, hours=index % 9)


def status_changed_at(index: int) -> datetime:
    """When the ``index``-th sample person's account last changed state."""
    return SAMPLE_EPOCH - timedelta(hours=index * 5 + 2)


def person(handle: str) -> SamplePerson:
    """The sample person with this handle; `KeyError` names it if there is none."""
    for candidate in SAMPLE_PEOPLE:
        if candidate.handle == handle:
            return candidate
    raise KeyError(f"no sample person with handle {handle!r}")
