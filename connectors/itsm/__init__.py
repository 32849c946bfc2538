"""The ITSM system kind: neutral models, the `ITSMConnector` Protocol and the in-memory fake."""

from __future__ import annotations

from connectors.itsm.fake import FakeITSM
from connectors.itsm.models import (
    OPEN_STATES,
    CatalogItem,
    CatalogItemKind,
    CatalogRequest,
    CloseCode,
    Comment,
    ITSMUser,
    NewCatalogRequest,
    NewTicket,
    Priority,
    RequestState,
    Resolution,
    Ticket,
    TicketPage,
    TicketQuery,
    TicketState,
)
from connectors.itsm.protocol import ITSMConnector

__all__ = [
    "OPEN_STATES",
    "CatalogItem",
    "CatalogItemKind",
    "CatalogRequest",
    "CloseCode",
    "Comment",
    "FakeITSM",
    "ITSMConnector",
    "ITSMUser",
    "NewCatalogRequest",
    "NewTicket",
    "Priority",
    "RequestState",
    "Resolution",
    "Ticket",
    "TicketPage",
    "TicketQuery",
    "TicketState",
]
