"""Shared intake fixtures: a governed stack over the sample CRM and order book, and mail builders."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from agents.intake.messages import InboundMessage, parse_eml
from agents.intake.wiring import IntakeStack
from governance.store import Store

ADA = "Ada Andersen <ada.andersen0@acme.example>"
"""CON-01 at ACC-01 (CUST-10001, standard tier); owns orders SO-100000..SO-100002."""
OLGA = "Olga Walsh <olga.walsh2@initech.example>"
"""CON-03 at ACC-03 (CUST-10015); owns SO-100020..SO-100022."""
VERA = "Vera Ivanova <vera.ivanova3@umbrella.example>"
"""CON-04 at ACC-04, a VIP account; owns SO-100030..SO-100032."""


def eml(
    body: str,
    *,
    sender: str = ADA,
    subject: str = "Question",
    message_id: str = "m1@test",
    reply_to: str | None = None,
    date: str = "Mon, 06 Oct 2025 09:00:00 +0000",
) -> bytes:
    headers = [f"From: {sender}", f"Subject: {subject}", f"Message-ID: <{message_id}>", f"Date: {date}"]
    if reply_to:
        headers.append(f"In-Reply-To: <{reply_to}>")
    return (
        "\r\n".join(headers) + "\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + body + "\r\n"
    ).encode()


def mail(body: str, **kwargs: str) -> InboundMessage:
    return parse_eml(eml(body, **kwargs))


@pytest.fixture
def stack(sqlite_url: str) -> Iterator[IntakeStack]:
    store = Store(sqlite_url)
    yield IntakeStack.build(store, crm_system="salesforce", erp_system="sap")
    store.dispose()
