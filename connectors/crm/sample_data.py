"""A deterministic sample customer base: the one data set behind `FakeCRM.sample()` and the CRM mocks.

`fixtures/salesforce/generate_crm_fixtures.py` renders this same data into Salesforce and HubSpot
wire formats, so the fake and both mocks tell the same story: 30 accounts (4 strategic, several
VIP), 60 contacts with emails, phones and mailing addresses (two without an account), 40 cases
across every status with internal and customer-visible comments. Ids are neutral ("ACC-01",
"CON-01", "CASE-01") and each renderer maps them onto its vendor's id format.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from connectors.crm.models import (
    Account,
    Address,
    Case,
    CaseComment,
    CaseOrigin,
    CasePriority,
    CaseStatus,
    Contact,
)

SEED = 20240611
EPOCH = datetime(2025, 9, 1, 8, 0, tzinfo=UTC)

USERS = (
    ("USR-1", "Morgan Lee", "morgan.lee"),
    ("USR-2", "Sam Patel", "sam.patel"),
    ("USR-3", "Alex Kim", "alex.kim"),
    ("USR-4", "Robin Fox", "robin.fox"),
    ("USR-5", "Jamie Cole", "jamie.cole"),
)
"""(id, name, login) of the CRM users who own accounts."""
QUEUES = ("Tier 1 Support", "Tier 2 Support", "Billing", "Strategic Accounts")

_PREFIXES = (
    "Acme",
    "Globex",
    "Initech",
    "Umbrella",
    "Stark",
    "Wayne",
    "Wonka",
    "Tyrell",
    "Cyberdyne",
    "Soylent",
    "Hooli",
    "Vandelay",
    "Pied Piper",
    "Oscorp",
    "Gringotts",
    "Monarch",
    "Aperture",
    "Nakatomi",
    "Massive Dynamic",
    "Blue Sun",
    "Dunder Mifflin",
    "Prestige",
    "Sterling",
    "Bluth",
    "Krusty",
    "Duff",
    "Ollivander",
    "Zorg",
    "Weyland",
    "Virtucon",
)
_SUFFIXES = (
    "Corporation",
    "Industries",
    "Logistics",
    "Holdings",
    "Foods",
    "Systems",
    "Labs",
    "GmbH",
    "Retail",
    "Energy",
)
_FIRST = (
    "Ada",
    "Ben",
    "Chloe",
    "Dev",
    "Elena",
    "Farid",
    "Grace",
    "Hiro",
    "Ines",
    "Jonas",
    "Kemi",
    "Liam",
    "Maya",
    "Nils",
    "Olga",
    "Priya",
    "Quinn",
    "Rosa",
    "Sven",
    "Tara",
    "Umar",
    "Vera",
    "Wei",
    "Xena",
    "Yusuf",
    "Zoe",
)
_LAST = (
    "Andersen",
    "Brennan",
    "Castillo",
    "Dubois",
    "Eriksen",
    "Fischer",
    "García",
    "Hughes",
    "Ivanova",
    "Jensen",
    "Kowalski",
    "Lindqvist",
    "Moreau",
    "Nakamura",
    "O'Neill",
    "Petrov",
    "Quist",
    "Rossi",
    "Schmidt",
    "Tanaka",
    "Urban",
    "Varga",
    "Walsh",
    "Yilmaz",
    "Zimmermann",
)
_CITIES = (
    ("Berlin", "BE", "10115", "Germany"),
    ("London", None, "EC1A 1BB", "United Kingdom"),
    ("Austin", "TX", "73301", "United States"),
    ("Lyon", None, "69001", "France"),
    ("Toronto", "ON", "M5H 2N2", "Canada"),
    ("Madrid", None, "28001", "Spain"),
    ("Chicago", "IL", "60601", "United States"),
    ("Dublin", None, "D02 X285", "Ireland"),
)
_STREETS = ("Market Street", "Harbour Road", "Lindenallee", "Rue de la Paix", "King Street", "Calle Mayor")
_SUBJECTS = (
    "Invoice shows wrong VAT rate",
    "Cannot log in to customer portal",
    "Delivery arrived damaged",
    "Request to update billing address",
    "Duplicate charge on last statement",
    "Order stuck in processing",
    "Need copy of contract",
    "Service outage at main site",
    "Password reset link expired",
    "Change of primary contact",
    "Refund not received",
    "Wrong item shipped",
)
_COMMENTS = (
    "Acknowledged, looking into it.",
    "Customer confirmed details by phone.",
    "Sent workaround to the customer.",
    "Escalated to engineering.",
)
_STATUSES = (
    CaseStatus.NEW,
    CaseStatus.WORKING,
    CaseStatus.WAITING_ON_CUSTOMER,
    CaseStatus.ESCALATED,
    CaseStatus.CLOSED,
)


@dataclass(frozen=True)
class CRMSample:
    """The sample customer base, in vendor-neutral models."""

    accounts: tuple[Account, ...]
    contacts: tuple[Contact, ...]
    cases: tuple[Case, ...]
    comments: tuple[CaseComment, ...]
    domains: dict[str, str]
    """Account id → web domain (contacts' emails use it)."""
    created: dict[str, datetime]
    """Account/contact id → when the record was created (cases and comments carry their own)."""


def build_sample() -> CRMSample:
    rng = random.Random(SEED)
    tiers = ["Strategic"] * 4 + ["Gold"] * 8 + ["Standard"] * 18
    rng.shuffle(tiers)
    accounts: list[Account] = []
    domains: dict[str, str] = {}
    created: dict[str, datetime] = {}
    for i, prefix in enumerate(_PREFIXES):
        account = Account(
            id=f"ACC-{i + 1:02d}",
            name=f"{prefix} {_SUFFIXES[i % len(_SUFFIXES)]}",
            account_number=f"CUST-{10001 + i * 7}",
            tier=tiers[i],
            vip=tiers[i] == "Strategic" or i % 11 == 3,
            owner_id=USERS[i % len(USERS)][0],
        )
        accounts.append(account)
        domains[account.id] = prefix.lower().replace(" ", "") + ".example"
        created[account.id] = EPOCH - timedelta(days=400 - i * 5)
    contacts: list[Contact] = []
    for j in range(60):
        employer = accounts[j % 30] if j < 58 else None
        first, last = _FIRST[(j * 7) % len(_FIRST)], _LAST[(j * 11 + j // 25) % len(_LAST)]
        local = f"{first}.{last}".lower().replace("'", "").replace("í", "i")
        city, region, postal, country = _CITIES[(j * 3) % len(_CITIES)]
        contact = Contact(
            id=f"CON-{j + 1:02d}",
            first_name=first,
            last_name=last,
            email=f"{local}{j}@{domains[employer.id] if employer else 'mail.example'}",
            phone=f"+1 555 {200 + j:03d} {1000 + j * 37 % 9000:04d}",
            account_id=employer.id if employer else None,
            mailing_address=Address(
                street=f"{10 + j * 3} {_STREETS[j % len(_STREETS)]}",
                city=city,
                region=region,
                postal_code=postal,
                country=country,
            ),
        )
        contacts.append(contact)
        created[contact.id] = EPOCH - timedelta(days=300 - j * 3)
    cases: list[Case] = []
    comments: list[CaseComment] = []
    for k in range(40):
        contact = contacts[(k * 7) % 58]
        moment = EPOCH + timedelta(days=k * 2, hours=k % 9, minutes=k * 13 % 60)
        subject = _SUBJECTS[k % len(_SUBJECTS)]
        case = Case(
            id=f"CASE-{k + 1:02d}",
            number=f"{1001 + k:08d}",
            subject=subject,
            description=f"Reported by {contact.full_name}: {subject.lower()}.",
            status=_STATUSES[k % len(_STATUSES)] if k < 30 else CaseStatus.CLOSED,
            priority=list(CasePriority)[rng.randrange(4)],
            origin=list(CaseOrigin)[k % 4],
            account_id=contact.account_id,
            contact_id=contact.id,
            owner_queue=QUEUES[k % len(QUEUES)],
            business_key=f"seed-case-{k:03d}" if k % 4 == 0 else None,
            created_at=moment,
        )
        cases.append(case)
        for c in range(rng.randrange(0, 4) if k else 2):
            comments.append(
                CaseComment(
                    id=f"CMT-{len(comments) + 1:03d}",
                    case_id=case.id,
                    body=_COMMENTS[c],
                    public=c % 2 == 1,
                    created_at=moment + timedelta(hours=c + 1),
                )
            )
    return CRMSample(tuple(accounts), tuple(contacts), tuple(cases), tuple(comments), domains, created)
