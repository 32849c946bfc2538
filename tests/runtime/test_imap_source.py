"""ImapSource against a real dovecot: delivered with APPEND, polled, split into documents, flagged."""

from __future__ import annotations

import imaplib
import ssl
from email.message import EmailMessage
from pathlib import Path

import pytest
from dovecot_server import ImapServer

from opspack.runtime.sources import (
    ImapSource,
    Source,
    SourceConfigurationError,
    SourceUnavailableError,
    documents_from_message,
)
from opspack.runtime.sources.imap import DONE_KEYWORD, FAILED_KEYWORD

INVOICE_PDF = Path(__file__).resolve().parents[2] / "fixtures" / "invoices" / "samples" / "0005-us_gross.pdf"


def _message(message_id: str, subject: str, attachments: list[tuple[str, str, bytes]]) -> bytes:
    message = EmailMessage()
    message["From"] = "Billing <billing@supplier.example>"
    message["To"] = "ap@buyer.example"
    message["Subject"] = subject
    message["Message-ID"] = message_id
    message.set_content("Please find our invoice attached.")
    for filename, content_type, content in attachments:
        maintype, subtype = content_type.split("/")
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=filename)
    return bytes(message)


def _deliver(server: ImapServer, raw: bytes) -> None:
    imap = imaplib.IMAP4(server.host, server.port)
    try:
        imap.login(server.username, server.password)
        status, _ = imap.append("INBOX", None, None, raw)
        assert status == "OK"
    finally:
        imap.logout()


def _flags(server: ImapServer) -> dict[str, str]:
    """Message-ID -> FLAGS, read with a second client."""
    imap = imaplib.IMAP4(server.host, server.port)
    try:
        imap.login(server.username, server.password)
        imap.select("INBOX", readonly=True)
        _, data = imap.uid("FETCH", "1:*", "(FLAGS BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")
        found: dict[str, str] = {}
        for part in data:
            if isinstance(part, tuple):
                header = part[1].decode().split(":", 1)[1].strip()
                found[header] = part[0].decode()
        return found
    finally:
        imap.logout()


def _source(server: ImapServer, **overrides: object) -> ImapSource:
    settings: dict[str, object] = {
        "host": server.host,
        "port": server.port,
        "username": server.username,
        "password": server.password,
    }
    settings.update(overrides)
    return ImapSource("ap-mailbox", **settings)  # type: ignore[arg-type]


def test_a_pdf_invoice_is_polled_split_and_flagged_done(imap_server: ImapServer) -> None:
    pdf = INVOICE_PDF.read_bytes()
    _deliver(
        imap_server,
        _message("<inv-1@supplier.example>", "Invoice 1", [("inv-1.pdf", "application/pdf", pdf)]),
    )
    source = _source(imap_server)
    assert isinstance(source, Source)
    [item], cursor = source.poll(None)
    assert (item.key, item.kind, item.source) == ("<inv-1@supplier.example>", "message", "ap-mailbox")
    assert item.metadata["from"] == "billing@supplier.example"
    assert item.metadata["subject"] == "Invoice 1"
    assert item.metadata["attachments"] == [
        {"filename": "inv-1.pdf", "content_type": "application/pdf", "size": len(pdf)}
    ]
    assert "\\Seen" not in _flags(imap_server)["<inv-1@supplier.example>"]  # peeked, not read
    found = documents_from_message(item)
    assert found.problem is None
    [document] = found.documents
    assert (document.kind, document.filename, document.payload) == ("document", "inv-1.pdf", pdf)
    assert document.metadata["message_key"] == item.key
    assert source.poll(cursor)[0] == []  # in hand: not handed out twice
    source.settle(item, ok=True, reason="posted")
    flags = _flags(imap_server)["<inv-1@supplier.example>"]
    assert "\\Seen" in flags and DONE_KEYWORD in flags
    items, cursor = source.poll(cursor)
    assert items == [] and cursor is not None and cursor.endswith(":1")


def test_a_message_without_a_usable_attachment_is_reported_and_flagged_failed(
    imap_server: ImapServer,
) -> None:
    _deliver(imap_server, _message("<plain@x>", "Where is my payment?", []))
    _deliver(imap_server, _message("<docx@x>", "Invoice", [("inv.docx", "application/msword", b"DOC")]))
    source = _source(imap_server)
    items, _ = source.poll(None)
    problems = {i.key: documents_from_message(i).problem for i in items}
    assert problems["<plain@x>"] == (
        "message <plain@x> has no attachment; an invoice must come as a PDF or XML file"
    )
    assert "no usable PDF or XML attachment (found: inv.docx (application/msword))" in str(
        problems["<docx@x>"]
    )
    for item in items:
        source.settle(item, ok=False, reason=str(problems[item.key]))
    flags = _flags(imap_server)
    assert all(FAILED_KEYWORD in flags[key] and DONE_KEYWORD not in flags[key] for key in problems)


def test_a_restart_with_the_saved_cursor_resumes_without_repeats(imap_server: ImapServer) -> None:
    for n in range(3):
        _deliver(
            imap_server, _message(f"<m{n}@x>", f"Invoice {n}", [(f"{n}.xml", "application/xml", b"<x/>")])
        )
    first = _source(imap_server, batch_size=2)
    items, cursor = first.poll(None)
    assert [i.key for i in items] == ["<m0@x>", "<m1@x>"]
    first.settle(items[0], ok=True, reason="posted")
    items_more, cursor = first.poll(cursor)
    assert [i.key for i in items_more] == ["<m2@x>"]
    assert cursor is not None and cursor.endswith(":1")  # m1 is still in hand: the cursor waits for it
    restarted = _source(imap_server)  # the first process died holding m1 and m2
    again, cursor = restarted.poll(cursor)
    assert [i.key for i in again] == ["<m1@x>", "<m2@x>"]
    for item in again:
        restarted.settle(item, ok=True, reason="posted")
    assert restarted.poll(cursor)[0] == []
    assert _source(imap_server).poll(None)[0] == []  # the keywords, not the cursor, say what is done


def test_wrong_password_and_unreachable_server_are_named(imap_server: ImapServer) -> None:
    with pytest.raises(SourceConfigurationError, match="cannot open mailbox 'Invoices'"):
        _source(imap_server, mailbox="Invoices").poll(None)
    with pytest.raises(SourceUnavailableError, match=r"cannot reach IMAP server 127\.0\.0\.1:1"):
        _source(imap_server, port=1).poll(None)
    with pytest.raises(SourceConfigurationError, match="not UIDVALIDITY:UID"):
        _source(imap_server).poll("yesterday")
    # last: Dovecot slows down further logins from an address that has just failed one
    with pytest.raises(SourceConfigurationError, match="refused the login of 'opspack'"):
        _source(imap_server, password="wrong").poll(None)


class _NoMoveImapSource(ImapSource):
    """The same server, as seen by a client of a server without RFC 6851 MOVE."""

    def _open(self) -> imaplib.IMAP4:
        imap = super()._open()
        imap.capabilities = tuple(c for c in imap.capabilities if c != "MOVE")
        return imap


def _mailbox_ids(server: ImapServer, mailbox: str) -> list[str]:
    imap = imaplib.IMAP4(server.host, server.port)
    try:
        imap.login(server.username, server.password)
        status, _ = imap.select(mailbox, readonly=True)
        if status != "OK":
            return []
        _, data = imap.uid("FETCH", "1:*", "(FLAGS BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")
        return [p[1].decode().split(":", 1)[1].strip() for p in data if isinstance(p, tuple)]
    finally:
        imap.logout()


def test_settled_messages_can_move_to_folders_created_on_first_use(imap_server: ImapServer) -> None:
    for key in ("<ok@x>", "<bad@x>"):
        _deliver(imap_server, _message(key, "Invoice", [("i.pdf", "application/pdf", b"%PDF-1.4")]))
    settings = {"done_mailbox": "Processed", "failed_mailbox": "Needs attention"}
    items, _ = _source(imap_server, **settings).poll(None)
    by_key = {i.key: i for i in items}
    _source(imap_server, **settings).settle(by_key["<ok@x>"], ok=True, reason="posted")
    mover = _NoMoveImapSource(
        "ap-mailbox",
        imap_server.host,
        imap_server.port,
        imap_server.username,
        imap_server.password,
        **settings,
    )
    mover.settle(by_key["<bad@x>"], ok=False, reason="no supplier")
    assert _mailbox_ids(imap_server, "INBOX") == []
    assert _mailbox_ids(imap_server, "Processed") == ["<ok@x>"]
    assert _mailbox_ids(imap_server, '"Needs attention"') == ["<bad@x>"]


def test_implicit_tls_with_a_trusted_certificate_and_a_refused_one(imaps_server: ImapServer) -> None:
    assert imaps_server.tls_port is not None and imaps_server.ca_file is not None
    _deliver(imaps_server, _message("<tls@x>", "Invoice", [("i.pdf", "application/pdf", b"%PDF-1.4")]))
    trusted = ssl.create_default_context(cafile=str(imaps_server.ca_file))
    source = _source(imaps_server, port=imaps_server.tls_port, ssl=True, ssl_context=trusted)
    [item], _ = source.poll(None)
    source.settle(item, ok=True, reason="posted over TLS")
    assert DONE_KEYWORD in _flags(imaps_server)["<tls@x>"]
    untrusted = _source(imaps_server, port=imaps_server.tls_port, ssl=True)  # the system trust store
    with pytest.raises(SourceUnavailableError, match=r"TLS with IMAP server 127\.0\.0\.1:\d+ failed"):
        untrusted.poll(None)


def test_two_messages_with_one_message_id_are_settled_each_on_its_own(imap_server: ImapServer) -> None:
    raw = _message("<resent@x>", "Invoice", [("i.pdf", "application/pdf", b"%PDF-1.4")])
    _deliver(imap_server, raw)
    _deliver(imap_server, raw)  # the supplier sent it twice
    source = _source(imap_server)
    first, second = source.poll(None)[0]
    assert first.key == second.key and first.metadata["uid"] != second.metadata["uid"]
    source.settle(first, ok=True, reason="posted")
    assert [i.metadata["uid"] for i in source.poll(None)[0]] == []  # the second is still in hand
    source.settle(second, ok=True, reason="duplicate of the first: already done")
    assert _source(imap_server).poll(None)[0] == []
