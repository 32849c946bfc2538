"""The service description of the supplier-invoice change documents view (see `mocks.sap.change_documents`).

Kept apart from the code that writes the change documents: the schema lists this service, the
store is built from the schema, and the writer works on the store.
"""

from __future__ import annotations

from mocks.sap.edm import S, Service, T
from mocks.sap.edm import entity_set_of as _set

__all__ = ["CHANGE_DOCS", "CHANGE_DOCUMENT"]

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
