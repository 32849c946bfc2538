"""Who changed a supplier invoice, and when: the SAP mock's change documents (CDHDR/CDPOS).

S/4HANA writes a change document whenever a supplier invoice is entered or its payment block is
set or lifted (object class ``INCOMINGINVOICE``, object id = invoice number + fiscal year), with
the user, the time and the transaction (``MIRO`` entry, ``MRBR`` release). No released OData API
exposes them; a customer exposes them read-only through a key-user custom CDS view published as
an external API (Custom CDS Views app), which S/4 names ``YY1_<NAME>_CDS`` with the entity set
``YY1_<NAME>``. `YY1_SUPLRINVCCHANGEDOC_CDS` is the shape opspack expects of that view (property
names follow the CDS fields of the change-document views; see docs/AP_AGENT.md "SAP setup"); its
service description is in `mocks.sap.schema_change_documents`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from mocks.sap.schema_change_documents import CHANGE_DOCS
from mocks.sap.store import SapTables

Row = dict[str, Any]

OBJECT_CLASS = "INCOMINGINVOICE"


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
