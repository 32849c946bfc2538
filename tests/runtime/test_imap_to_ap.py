"""A supplier's e-mail through the real IMAP server to the AP agent: the PDF attachment is processed
through the one governance path and the message is flagged done; a message with nothing usable is
flagged failed with the reason, never lost."""

from __future__ import annotations

import imaplib
from email.message import EmailMessage
from pathlib import Path

import requests
from dovecot_server import ImapServer

from agents.ap.agent import APAgent
from agents.performers import ERPPerformer
from connectors.sap import SapS4HanaAdapter
from governance.policy import load_policy
from governance.runtime import Governor
from governance.store import Store
from mocks.sap import SapMock
from mocks.transport import mount_mocks
from opspack.runtime.sources import ImapSource, documents_from_message
from opspack.runtime.sources.imap import DONE_KEYWORD, FAILED_KEYWORD
from opspack.settings import policy_path

ROOT = Path(__file__).resolve().parents[2]
INVOICE_PDF = ROOT / "fixtures" / "invoices" / "samples" / "0005-us_gross.pdf"
SAP_URL = "https://sap.mock"


def _deliver(server: ImapServer, message_id: str, attachment: tuple[str, str, bytes] | None) -> None:
    message = EmailMessage()
    message["From"] = "billing@supplier.example"
    message["To"] = "ap@buyer.example"
    message["Subject"] = "Invoice" if attachment else "Question about our invoice"
    message["Message-ID"] = message_id
    message.set_content("See attached." if attachment else "When will you pay?")
    if attachment:
        name, content_type, content = attachment
        maintype, subtype = content_type.split("/")
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=name)
    imap = imaplib.IMAP4(server.host, server.port)
    try:
        imap.login(server.username, server.password)
        assert imap.append("INBOX", None, None, bytes(message))[0] == "OK"
    finally:
        imap.logout()


def _flags(server: ImapServer, uid: int) -> str:
    imap = imaplib.IMAP4(server.host, server.port)
    try:
        imap.login(server.username, server.password)
        imap.select("INBOX", readonly=True)
        _, data = imap.uid("FETCH", str(uid), "(FLAGS)")
        return data[0].decode() if isinstance(data[0], bytes) else str(data[0])
    finally:
        imap.logout()


def test_mailed_invoice_reaches_the_ap_agent_and_the_message_is_flagged(
    imap_server: ImapServer, tmp_path: Path
) -> None:
    _deliver(
        imap_server, "<inv@supplier.example>", ("INV-0005.pdf", "application/pdf", INVOICE_PDF.read_bytes())
    )
    _deliver(imap_server, "<question@supplier.example>", None)
    erp = SapS4HanaAdapter(
        SAP_URL,
        "OPSPACK_COMM",
        "Welcome-S4H-2024!",
        session=mount_mocks(requests.Session(), {SAP_URL: SapMock.from_fixtures()}),
    )
    governor = Governor(
        load_policy(policy_path()), Store(f"sqlite:///{tmp_path / 'ledger.db'}"), {"sap": ERPPerformer(erp)}
    )
    agent = APAgent(governor, erp, system="sap")
    source = ImapSource(
        "ap-mailbox", imap_server.host, imap_server.port, imap_server.username, imap_server.password
    )

    items, cursor = source.poll(None)
    outcomes: dict[str, str] = {}
    for item in items:
        found = documents_from_message(item)
        if found.problem is not None:
            source.settle(item, ok=False, reason=found.problem)
            outcomes[item.key] = found.problem
            continue
        results = []
        for document in found.documents:
            path = tmp_path / "inbox" / str(document.filename)
            path.parent.mkdir(exist_ok=True)
            assert isinstance(document.payload, bytes)
            path.write_bytes(document.payload)
            results.append(agent.process(path))
        outcomes[item.key] = ", ".join(f"{r.status}: {', '.join(r.reasons)}" for r in results)
        source.settle(item, ok=True, reason=outcomes[item.key])

    invoice_uid = next(i.metadata["uid"] for i in items if i.key == "<inv@supplier.example>")
    question_uid = next(i.metadata["uid"] for i in items if i.key == "<question@supplier.example>")
    assert outcomes["<inv@supplier.example>"].split(":")[0] in ("posted", "held", "awaiting_approval")
    assert "has no attachment" in outcomes["<question@supplier.example>"]
    assert DONE_KEYWORD in _flags(imap_server, invoice_uid)
    assert FAILED_KEYWORD in _flags(imap_server, question_uid)
    transactions = {r.transaction_id for r in governor.ledger.records()}
    assert len(transactions) == 1  # the invoice went through the governance path; the question did not
    assert {r.kind for r in governor.ledger.records()} >= {"intake", "perception", "decision"}
    assert governor.ledger.verify().ok
    assert (
        ImapSource(
            "ap-mailbox", imap_server.host, imap_server.port, imap_server.username, imap_server.password
        ).poll(cursor)[0]
        == []
    )
