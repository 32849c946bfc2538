"""GraphMailboxSource over the Graph mock's mail API: messages and attachments read, tagged when settled."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests

from connectors.errors import NotFoundError
from connectors.msgraph.mail import GraphMailReader
from connectors.registry import ConnectionConfig
from mocks.msgraph import GraphMock
from mocks.transport import mount_mocks
from opspack.runtime.sources import (
    GraphMailboxSource,
    Source,
    SourceConfigurationError,
    SourceUnavailableError,
    documents_from_message,
)
from opspack.runtime.sources.graph_mailbox import DONE_CATEGORY, FAILED_CATEGORY

GRAPH_URL = "https://graph.microsoft.mock"
MAILBOX = "rmorgan@acme.example"
INVOICE_PDF = Path(__file__).resolve().parents[2] / "fixtures" / "invoices" / "samples" / "0003-fr_boxed.pdf"


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def graph(clock: Clock) -> GraphMock:
    return GraphMock.from_fixtures(graph_url=GRAPH_URL, clock=clock)


def _reader(graph: GraphMock, **options: object) -> GraphMailReader:
    app = next(iter(graph.tenant.applications.values()))
    connection = ConnectionConfig(
        name="m365", adapter="msgraph", base_url=GRAPH_URL, options={"login_base_url": GRAPH_URL, **options}
    )
    credentials = {
        "tenant_id": graph.tenant.tenant_id,
        "client_id": app["appId"],
        "client_secret": app["passwordCredentials"][0]["secretText"],
    }
    return GraphMailReader.from_config(
        connection, credentials, mount_mocks(requests.Session(), {GRAPH_URL: graph})
    )


def test_a_pdf_invoice_becomes_a_message_with_its_document_and_is_tagged_done(graph: GraphMock) -> None:
    pdf = INVOICE_PDF.read_bytes()
    mid = graph.deliver_mail(
        MAILBOX,
        sender="Facturation <factures@fournisseur.example>",
        subject="Facture F-2026-118",
        body="Veuillez trouver ci-joint notre facture.",
        attachments=[("F-2026-118.pdf", "application/pdf", pdf)],
        internet_message_id="<f-118@fournisseur.example>",
    )
    source = GraphMailboxSource("ap-m365", _reader(graph), MAILBOX)
    assert isinstance(source, Source)
    [item], cursor = source.poll(None)
    assert (item.key, item.kind) == ("<f-118@fournisseur.example>", "message")
    assert item.metadata["from"] == "factures@fournisseur.example"
    assert item.metadata["subject"] == "Facture F-2026-118"
    assert item.metadata["attachments"] == [
        {"filename": "F-2026-118.pdf", "content_type": "application/pdf", "size": len(pdf)}
    ]
    [document] = documents_from_message(item).documents
    assert document.payload == pdf and document.filename == "F-2026-118.pdf"
    assert source.poll(cursor)[0] == []  # in hand
    source.settle(item, ok=True, reason="posted")
    stored = graph.mail_message(MAILBOX, mid)
    assert stored["isRead"] is True and stored["categories"] == [DONE_CATEGORY]
    assert GraphMailboxSource("ap-m365", _reader(graph), MAILBOX).poll(cursor)[0] == []


def test_no_usable_attachment_is_reported_and_tagged_failed(graph: GraphMock) -> None:
    graph.deliver_mail(
        MAILBOX,
        sender="someone@customer.example",
        subject="FW: invoice",
        attached_messages=["Invoice 7781"],
        internet_message_id="<fw@customer.example>",
    )
    source = GraphMailboxSource("ap-m365", _reader(graph), MAILBOX)
    [item], _ = source.poll(None)
    found = documents_from_message(item)
    assert found.documents == () and "has no attachment" in str(found.problem)
    assert item.metadata["skipped_attachments"] == ["Invoice 7781 (item)"]
    source.settle(item, ok=False, reason=str(found.problem))
    assert graph.mail_message(MAILBOX, item.metadata["graph_id"])["categories"] == [FAILED_CATEGORY]


def test_the_cursor_waits_for_unsettled_messages_and_pages_are_followed(
    graph: GraphMock, clock: Clock
) -> None:
    ids = []
    for n in range(5):
        clock.now += timedelta(minutes=1)
        ids.append(graph.deliver_mail(MAILBOX, sender="a@b.example", subject=f"m{n}", body=f"body {n}"))
    first = GraphMailboxSource("ap-m365", _reader(graph, mail_page_size=2), MAILBOX, batch_size=3)
    items, cursor = first.poll(None)
    assert [i.metadata["subject"] for i in items] == ["m0", "m1", "m2"]
    first.settle(items[0], ok=True, reason="done")
    assert cursor == datetime(2026, 3, 2, 9, 1, tzinfo=UTC).isoformat()  # m0 was still in hand
    more, cursor = first.poll(cursor)
    assert [i.metadata["subject"] for i in more] == ["m3", "m4"]
    assert cursor == datetime(2026, 3, 2, 9, 2, tzinfo=UTC).isoformat()  # m1 is the oldest in hand
    restarted = GraphMailboxSource("ap-m365", _reader(graph), MAILBOX)
    again, cursor = restarted.poll(cursor)
    assert [i.metadata["subject"] for i in again] == ["m1", "m2", "m3", "m4"]
    for item in again:
        restarted.settle(item, ok=True, reason="done")
    assert restarted.poll(cursor) == ([], datetime(2026, 3, 2, 9, 5, tzinfo=UTC).isoformat())


def test_mock_wire_format_and_errors(graph: GraphMock) -> None:
    reader = _reader(graph)
    mid = graph.deliver_mail(MAILBOX, sender="x@y.example", subject="hello")
    session = mount_mocks(requests.Session(), {GRAPH_URL: graph})
    app_id = next(iter(graph.tenant.applications.values()))["appId"]
    bearer = {"Authorization": f"Bearer {graph.tenant.issue_access_token(app_id)}"}
    message_url = f"{GRAPH_URL}/v1.0/users/{MAILBOX}/messages/{mid}"
    read_only = session.patch(message_url, json={"subject": "changed"}, headers=bearer)
    assert read_only.status_code == 400 and read_only.json()["error"]["code"] == "ErrorInvalidProperty"
    listing = session.get(
        f"{GRAPH_URL}/v1.0/users/{MAILBOX}/mailFolders/inbox/messages",
        params={"$orderby": "subject"},
        headers=bearer,
    )
    assert listing.status_code == 400 and listing.json()["error"]["code"] == "Request_UnsupportedQuery"
    missing = session.get(f"{GRAPH_URL}/v1.0/users/{MAILBOX}/messages/AAMkADnothing", headers=bearer)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "ErrorItemNotFound"
    listed = list(reader.messages(MAILBOX, received_since=datetime(2026, 3, 2, 9, 0, tzinfo=UTC)))
    assert [m.id for m in listed] == [mid]
    assert list(reader.messages(MAILBOX, received_since=datetime(2026, 3, 2, 9, 0, 1, tzinfo=UTC))) == []
    with pytest.raises(NotFoundError, match="not found in the store"):
        list(reader.messages(MAILBOX, "no-such-folder"))
    with pytest.raises(NotFoundError):
        reader.attachments(MAILBOX, "AAMkADnothing")
    unauthenticated = session.get(f"{GRAPH_URL}/v1.0/users/{MAILBOX}/mailFolders/inbox/messages")
    assert unauthenticated.status_code == 401
    assert reader.mark(MAILBOX, mid, read=True, categories=["a", "a", "b"]).categories == ("a", "b")
    source = GraphMailboxSource("ap-m365", reader, MAILBOX, folder="no-such-folder")
    with pytest.raises(SourceUnavailableError, match=r"cannot read rmorgan@acme\.example's no-such-folder"):
        source.poll(None)
    with pytest.raises(SourceConfigurationError, match="no time zone"):
        GraphMailboxSource("ap-m365", reader, MAILBOX).poll("2026-03-02T09:00:00")
