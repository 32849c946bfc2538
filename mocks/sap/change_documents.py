"""Who changed a supplier invoice, and when: the SAP mock's change documents (CDHDR/CDPOS).

S/4HANA writes a change document whenever a supplier invoice is entered or its payment block is
set or lifted (object class ``INCOMINGINVOICE``, object id = invoice number + fiscal year), with
the user, the time and the transaction (``MIRO`` entry, ``MRBR`` release). No released OData API
exposes them; a customer exposes them read-only through a key-user custom CDS view published as
an external API (Custom CDS Views app), which S/4 names ``YY1_<NAME>_CDS`` with the entity set
``YY1_<NAME>``. `YY1_SUPLRINVCCHANGEDOC_CDS` is the shape opspack expects of that view (property
names follow the CDS fields of the change-document views; see docs/AP_AGENT.md "SAP setup").
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from mocks.sap.edm import S, Service, T
from mocks.sap.edm import entity_set_of as _set

if TYPE_CHECKING:  # the store is built from the schema, which lists this service
    from mocks.sap.store import SapTables

Row = dict[str, Any]

OBJECT_CLASS = "INCOMINGINVOICE"
CHANGE_DOCS = "YY1_SuplrInvcChangeDoc"

CHANGE_DOCUMENT = Service(
    "YY1_SUPLRINVCCHANGEDOC_CDS",
    {
        CHANGE_DOCS: _set(
            CHANGE_DOCS,
            ("ChangeDocObjectClass", "ChangeDocObject", "ChangeDocument"),
            {
                "ChangeDocumentChangeType": S,
                "ChangeDocDatabaseTableField": S,
                "ChangeDocPreviousFieldValue": S,
                "ChangeDocNewFieldValue": S,
                "CreatedByUser": S,
                "CreationDateTime": T,
                "ChangeTransactionCode": S,
            },
        ),
    },
)


def object_id(invoice: Row) -> str:
    """CDHDR-OBJECTID of a supplier invoice: document number followed by the fiscal year."""
    return f"{invoice['SupplierInvoice']}{invoice['FiscalYear']}"


def record_change(
    tables: SapTables,
    invoice: Row,
    *,
    user: str,
    at: datetime,
    change_type: str,
    field: str = "",
    previous: str = "",
    new: str = "",
    transaction: str = "MIRO",
) -> Row:
    """Append one change document for `invoice` (``I`` entered, ``U`` a field changed)."""
    number = len(tables.rows(CHANGE_DOCS)) + 1
    row: Row = {
        "ChangeDocObjectClass": OBJECT_CLASS,
        "ChangeDocObject": object_id(invoice),
        "ChangeDocument": f"{number:010d}",
        "ChangeDocumentChangeType": change_type,
        "ChangeDocDatabaseTableField": field,
        "ChangeDocPreviousFieldValue": previous,
        "ChangeDocNewFieldValue": new,
        "CreatedByUser": user,
        "CreationDateTime": at.replace(tzinfo=None, microsecond=0),
        "ChangeTransactionCode": transaction,
    }
    tables.insert(CHANGE_DOCS, row)
    return row
