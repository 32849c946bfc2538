"""The mock org's schema: which sObjects exist, their fields, types and rules.

Only what the CRM connector and the popular clients touch is modelled; an unknown field or object
gets Salesforce's own error (``INVALID_FIELD`` / ``INVALID_TYPE``) rather than being accepted.
"""

from __future__ import annotations

from dataclasses import dataclass, field

AUDIT_FIELDS = (
    "CreatedById",
    "CreatedDate",
    "LastModifiedById",
    "LastModifiedDate",
    "SystemModstamp",
    "IsDeleted",
)


@dataclass(frozen=True)
class SObjectType:
    name: str
    key_prefix: str
    fields: tuple[str, ...]
    required: tuple[str, ...] = ()
    read_only: tuple[str, ...] = ("Id", *AUDIT_FIELDS)
    references: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Lookup field → key prefixes it may point at."""
    booleans: tuple[str, ...] = ("IsDeleted",)
    datetimes: tuple[str, ...] = ("CreatedDate", "LastModifiedDate", "SystemModstamp")
    computed_name: bool = False
    """``Name`` is FirstName + LastName (Contact, User)."""
    createable: bool = True

    def canonical(self, name: str) -> str | None:
        """The field's real spelling (SOQL and the REST API match field names case-insensitively)."""
        lowered = name.lower()
        return next((f for f in self.fields if f.lower() == lowered), None)


ACCOUNT = SObjectType(
    "Account",
    "001",
    (
        "Id",
        "Name",
        "AccountNumber",
        "Tier__c",
        "VIP__c",
        "OwnerId",
        "Website",
        "Industry",
        "Phone",
        "Type",
        *AUDIT_FIELDS,
    ),
    required=("Name",),
    references={"OwnerId": ("005",)},
    booleans=("VIP__c", "IsDeleted"),
)
CONTACT = SObjectType(
    "Contact",
    "003",
    (
        "Id",
        "AccountId",
        "FirstName",
        "LastName",
        "Name",
        "Email",
        "Phone",
        "MobilePhone",
        "MailingStreet",
        "MailingCity",
        "MailingState",
        "MailingPostalCode",
        "MailingCountry",
        "OwnerId",
        *AUDIT_FIELDS,
    ),
    required=("LastName",),
    read_only=("Id", "Name", *AUDIT_FIELDS),
    references={"AccountId": ("001",), "OwnerId": ("005",)},
    computed_name=True,
)
CASE = SObjectType(
    "Case",
    "500",
    (
        "Id",
        "CaseNumber",
        "Subject",
        "Description",
        "Status",
        "Priority",
        "Origin",
        "Type",
        "Reason",
        "AccountId",
        "ContactId",
        "OwnerId",
        "External_Key__c",
        "IsClosed",
        "ClosedDate",
        "IsEscalated",
        *AUDIT_FIELDS,
    ),
    read_only=("Id", "CaseNumber", "IsClosed", "ClosedDate", *AUDIT_FIELDS),
    references={"AccountId": ("001",), "ContactId": ("003",), "OwnerId": ("005", "00G")},
    booleans=("IsClosed", "IsEscalated", "IsDeleted"),
    datetimes=("CreatedDate", "LastModifiedDate", "SystemModstamp", "ClosedDate"),
)
CASE_COMMENT = SObjectType(
    "CaseComment",
    "00a",
    ("Id", "ParentId", "CommentBody", "IsPublished", *AUDIT_FIELDS),
    required=("ParentId", "CommentBody"),
    read_only=("Id", *AUDIT_FIELDS),
    references={"ParentId": ("500",)},
    booleans=("IsPublished", "IsDeleted"),
)
GROUP = SObjectType("Group", "00G", ("Id", "Name", "DeveloperName", "Type", *AUDIT_FIELDS), createable=False)
USER = SObjectType(
    "User",
    "005",
    ("Id", "Name", "Username", "Email", "IsActive", *AUDIT_FIELDS),
    booleans=("IsActive", "IsDeleted"),
    createable=False,
)

SOBJECTS = {t.name.lower(): t for t in (ACCOUNT, CONTACT, CASE, CASE_COMMENT, GROUP, USER)}
PREFIXES = {t.key_prefix: t for t in SOBJECTS.values()}


def sobject_type(name: str) -> SObjectType | None:
    return SOBJECTS.get(name.lower())


_ID_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_CHECKSUM_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"


def checksum(short_id: str) -> str:
    """The 3-character suffix that makes a 15-character id case-insensitively unique."""
    suffix = ""
    for chunk in range(3):
        part = short_id[chunk * 5 : chunk * 5 + 5]
        bits = sum(1 << i for i, ch in enumerate(part) if ch.isupper())
        suffix += _CHECKSUM_ALPHABET[bits]
    return suffix


def make_id(prefix: str, number: int) -> str:
    """An 18-character id with the object's key prefix (the mock's pod is ``5g``)."""
    body, value = "", number
    for _ in range(5):
        body = _ID_ALPHABET[value % 62] + body
        value //= 62
    short = f"{prefix}5g00000{body}"
    return short + checksum(short)


def normalise_id(value: str) -> str | None:
    """The 18-character form of a 15- or 18-character id, or None when it is not an id."""
    if len(value) == 15 and value.isalnum():
        return value + checksum(value)
    if len(value) == 18 and value.isalnum() and checksum(value[:15]) == value[15:].upper():
        return value[:15] + checksum(value[:15])
    return None
