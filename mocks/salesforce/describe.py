"""``describe`` answers for the mock org: describeGlobal and per-object describes, from the schema.

Field types follow the schema (``id``, ``reference`` with ``referenceTo`` and ``relationshipName``,
``boolean``, ``datetime``, ``picklist`` with the org's values, ``email``, ``phone``, ``url``,
``textarea``, ``string``); ``childRelationships`` are the ones sub-queries accept.
"""

from __future__ import annotations

from typing import Any

from mocks.salesforce.relations import CHILD_RELATIONSHIPS, parent_relationships
from mocks.salesforce.schema import SOBJECTS, SObjectType

__all__ = ["describe_global", "describe_sobject", "sobject_summary"]

_PLURALS = {"Case": "Cases", "Account": "Accounts", "Contact": "Contacts", "CaseComment": "Case Comments",
            "Group": "Groups", "User": "Users"}  # fmt: skip
_TEXTAREAS = {"Description", "CommentBody", "MailingStreet"}
_LABELS = {"Id": "Record ID", "CaseNumber": "Case Number", "OwnerId": "Owner ID", "AccountId": "Account ID",
           "ContactId": "Contact ID", "ParentId": "Parent ID", "IsDeleted": "Deleted"}  # fmt: skip


def _label(name: str) -> str:
    if name in _LABELS:
        return _LABELS[name]
    base = name.removesuffix("__c").replace("_", " ")
    return "".join(
        f" {c}" if c.isupper() and i and not base[i - 1].isupper() else c for i, c in enumerate(base)
    )


def _urls(version: str, name: str) -> dict[str, str]:
    root = f"/services/data/v{version}/sobjects/{name}"
    return {"sobject": root, "describe": f"{root}/describe", "rowTemplate": f"{root}/{{ID}}"}


def sobject_summary(kind: SObjectType, version: str) -> dict[str, Any]:
    """The describeGlobal entry (also the ``objectDescribe`` of ``GET /sobjects/{name}``)."""
    return {
        "name": kind.name, "label": kind.name if kind.name != "CaseComment" else "Case Comment",
        "labelPlural": _PLURALS.get(kind.name, kind.name + "s"), "keyPrefix": kind.key_prefix,
        "custom": False, "createable": kind.createable, "updateable": kind.createable,
        "deletable": kind.createable, "queryable": True, "searchable": kind.name in _SEARCHABLE,
        "retrieveable": True, "layoutable": kind.createable, "urls": _urls(version, kind.name),
    }  # fmt: skip


_SEARCHABLE = {"Account", "Contact", "Case", "User"}


def _field(
    kind: SObjectType, name: str, picklists: dict[str, list[str]], external: set[str]
) -> dict[str, Any]:
    relationships = {lookup: rel for rel, (lookup, _targets) in parent_relationships(kind).items()}
    values = picklists.get(f"{kind.name}.{name}")
    if name == "Id":
        kind_of = "id"
    elif name in kind.references:
        kind_of = "reference"
    elif name in kind.booleans:
        kind_of = "boolean"
    elif name in kind.datetimes:
        kind_of = "datetime"
    elif values is not None:
        kind_of = "picklist"
    elif name == "Email":
        kind_of = "email"
    elif "Phone" in name:
        kind_of = "phone"
    elif name == "Website":
        kind_of = "url"
    elif name in _TEXTAREAS:
        kind_of = "textarea"
    else:
        kind_of = "string"
    writable = kind.createable and name not in kind.read_only
    return {
        "name": name, "label": _label(name), "type": kind_of,
        "length": {"id": 18, "reference": 18, "textarea": 32000, "string": 255, "email": 80, "phone": 40,
                   "url": 255, "picklist": 255}.get(kind_of, 0),
        "nillable": name not in kind.required and kind_of not in ("id", "boolean") and name not in kind.read_only,
        "createable": writable, "updateable": writable, "custom": name.endswith("__c"),
        "externalId": name in external, "unique": name in external, "idLookup": name == "Id" or name in external,
        "filterable": kind_of != "textarea", "sortable": kind_of != "textarea", "calculated": False,
        "defaultedOnCreate": name in kind.read_only or kind_of == "boolean",
        "referenceTo": [t.name for t in parent_relationships(kind)[relationships[name]][1]]
        if name in relationships else [],
        "relationshipName": relationships.get(name),
        "picklistValues": [
            {"active": True, "defaultValue": False, "label": v, "validFor": None, "value": v} for v in values or []
        ],
        "soapType": {"id": "tns:ID", "reference": "tns:ID", "boolean": "xsd:boolean",
                     "datetime": "xsd:dateTime"}.get(kind_of, "xsd:string"),
    }  # fmt: skip


def describe_sobject(
    kind: SObjectType, version: str, picklists: dict[str, list[str]], external_ids: dict[str, list[str]]
) -> dict[str, Any]:
    """``GET /sobjects/{name}/describe``."""
    external = set(external_ids.get(kind.name, []))
    children = [
        {"childSObject": child, "field": lookup, "relationshipName": name, "cascadeDelete": child == "CaseComment",
         "restrictedDelete": False, "deprecatedAndHidden": False}
        for name, (child, lookup) in CHILD_RELATIONSHIPS.get(kind.name, {}).items()
    ]  # fmt: skip
    return {
        **sobject_summary(kind, version),
        "fields": [_field(kind, name, picklists, external) for name in kind.fields],
        "childRelationships": children,
        "recordTypeInfos": [],
    }


def describe_global(version: str) -> dict[str, Any]:
    """``GET /sobjects``."""
    return {
        "encoding": "UTF-8",
        "maxBatchSize": 200,
        "sobjects": [sobject_summary(kind, version) for kind in SOBJECTS.values()],
    }
