"""The mock portal's schema: object types, their properties and rules, and association types.

Modelled on a HubSpot portal with the custom properties the sample data uses (``account_number``,
``customer_tier``, ``vip`` on companies; ``external_key`` with unique values on tickets).
"""

from __future__ import annotations

OBJECT_TYPES = ("companies", "contacts", "tickets", "notes", "emails")
SINGULAR = {
    "companies": "company",
    "contacts": "contact",
    "tickets": "ticket",
    "notes": "note",
    "emails": "email",
}
PLURAL = {v: k for k, v in SINGULAR.items()}

PROPERTIES: dict[str, tuple[str, ...]] = {
    "companies": (
        "name",
        "domain",
        "website",
        "phone",
        "city",
        "country",
        "industry",
        "account_number",
        "customer_tier",
        "vip",
        "hubspot_owner_id",
        "createdate",
        "hs_lastmodifieddate",
        "hs_object_id",
    ),
    "contacts": (
        "firstname",
        "lastname",
        "email",
        "phone",
        "address",
        "city",
        "state",
        "zip",
        "country",
        "company",
        "jobtitle",
        "hubspot_owner_id",
        "createdate",
        "lastmodifieddate",
        "hs_lastmodifieddate",
        "hs_object_id",
    ),
    "tickets": (
        "subject",
        "content",
        "hs_pipeline",
        "hs_pipeline_stage",
        "hs_ticket_priority",
        "hs_ticket_category",
        "source_type",
        "hubspot_team_id",
        "hubspot_owner_id",
        "external_key",
        "closed_date",
        "createdate",
        "hs_lastmodifieddate",
        "hs_object_id",
    ),
    "notes": (
        "hs_note_body",
        "hs_timestamp",
        "hubspot_owner_id",
        "createdate",
        "hs_lastmodifieddate",
        "hs_object_id",
    ),
    "emails": (
        "hs_timestamp",
        "hs_email_direction",
        "hs_email_status",
        "hs_email_subject",
        "hs_email_text",
        "hs_email_html",
        "hubspot_owner_id",
        "createdate",
        "hs_lastmodifieddate",
        "hs_object_id",
    ),
}
DEFAULT_PROPERTIES: dict[str, tuple[str, ...]] = {
    "companies": ("createdate", "domain", "hs_lastmodifieddate", "hs_object_id", "name"),
    "contacts": ("createdate", "email", "firstname", "hs_object_id", "lastmodifieddate", "lastname"),
    "tickets": (
        "content",
        "createdate",
        "hs_lastmodifieddate",
        "hs_object_id",
        "hs_pipeline",
        "hs_pipeline_stage",
        "hs_ticket_category",
        "hs_ticket_priority",
        "subject",
    ),
    "notes": ("createdate", "hs_lastmodifieddate", "hs_object_id"),
    "emails": ("createdate", "hs_lastmodifieddate", "hs_object_id"),
}
SEARCHABLE: dict[str, tuple[str, ...]] = {
    "companies": ("name", "domain", "website", "phone"),
    "contacts": ("firstname", "lastname", "email", "phone", "company"),
    "tickets": ("subject", "content", "hs_object_id"),
    "notes": ("hs_note_body",),
    "emails": ("hs_email_subject", "hs_email_text"),
}
READ_ONLY = frozenset({"hs_object_id", "createdate", "hs_lastmodifieddate", "lastmodifieddate"})
REQUIRED = {
    "tickets": ("subject", "hs_pipeline_stage"),
    "notes": ("hs_timestamp",),
    "emails": ("hs_timestamp",),
}
ENUMERATIONS = {
    ("tickets", "hs_ticket_priority"): ("LOW", "MEDIUM", "HIGH", "URGENT"),
    ("tickets", "source_type"): ("EMAIL", "PHONE", "CHAT", "FORM"),
    ("emails", "hs_email_direction"): ("EMAIL", "INCOMING_EMAIL", "FORWARDED_EMAIL"),
    ("emails", "hs_email_status"): ("SENT", "SCHEDULED", "BOUNCED", "FAILED", "SENDING"),
    ("companies", "vip"): ("true", "false"),
}
DATETIMES = frozenset(
    {"createdate", "hs_lastmodifieddate", "lastmodifieddate", "hs_timestamp", "closed_date"}
)

# HUBSPOT_DEFINED association type ids: (from, to) -> allowed ids; INVERSE gives the other direction.
ASSOCIATION_TYPES: dict[tuple[str, str], tuple[int, ...]] = {
    ("contacts", "companies"): (279, 1),
    ("companies", "contacts"): (280, 2),
    ("tickets", "contacts"): (16,),
    ("contacts", "tickets"): (15,),
    ("tickets", "companies"): (339, 26),
    ("companies", "tickets"): (340, 25),
    ("notes", "tickets"): (228,),
    ("tickets", "notes"): (227,),
    ("emails", "tickets"): (224,),
    ("tickets", "emails"): (223,),
    ("notes", "contacts"): (202,),
    ("contacts", "notes"): (201,),
    ("notes", "companies"): (190,),
    ("companies", "notes"): (189,),
    ("emails", "contacts"): (198,),
    ("contacts", "emails"): (197,),
    ("emails", "companies"): (186,),
    ("companies", "emails"): (185,),
}
INVERSE = {
    279: 280,
    1: 2,
    16: 15,
    339: 340,
    26: 25,
    228: 227,
    224: 223,
    202: 201,
    190: 189,
    198: 197,
    186: 185,
}
INVERSE.update({v: k for k, v in list(INVERSE.items())})
