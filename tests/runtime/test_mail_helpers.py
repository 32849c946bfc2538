"""Mail helpers on real malformed messages: never an exception, always a reason."""

from __future__ import annotations

import hashlib
from email.message import EmailMessage

import pytest

from opspack.runtime.sources import WorkItem, documents_from_message
from opspack.runtime.sources.mail import message_key, message_metadata

BROKEN_MULTIPART = (
    b"From: <<<@@@>>>\r\nSubject: =?utf-8?q?bad=ZZ?=\r\nMessage-ID: \r\n"
    b'Content-Type: multipart/mixed; boundary="X"\r\n\r\n--X\r\nContent-Type: application/pdf\r\n'
    b'Content-Disposition: attachment; filename="a.pdf"\r\nContent-Transfer-Encoding: base64\r\n\r\n'
    b"!!!notbase64!!!\r\n--X--\r\n"
)


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"garbage without any header",
        b"From: \xff\xfe bad bytes <x@y.example>\r\nSubject: \xe9t\xe9\r\n\r\nbody",
        b"Content-Type: multipart/mixed\r\n\r\nno boundary at all",
    ],
)
def test_malformed_messages_are_reported_not_raised(raw: bytes) -> None:
    metadata = message_metadata(raw)
    key = message_key(raw, metadata["message_id"])
    assert key == "sha256:" + hashlib.sha256(raw).hexdigest()  # no Message-ID: the content is the key
    found = documents_from_message(WorkItem("mail", key, "message", raw))
    assert found.documents == () and found.problem is not None and key in found.problem


def test_a_broken_attachment_is_handed_on_for_the_agent_to_reject() -> None:
    metadata = message_metadata(BROKEN_MULTIPART)
    assert metadata["message_id"] is None and metadata["attachments"][0]["filename"] == "a.pdf"
    [document] = documents_from_message(WorkItem("mail", "k", "message", BROKEN_MULTIPART)).documents
    assert document.filename == "a.pdf" and document.kind == "document"


def test_octet_stream_counts_by_suffix_and_inline_images_do_not() -> None:
    message = EmailMessage()
    message["Message-ID"] = "<m@x>"
    message.set_content("see attached")
    message.add_attachment(b"<Invoice/>", maintype="application", subtype="octet-stream", filename="INV.XML")
    message.add_attachment(b"\x89PNG", maintype="image", subtype="png", filename="logo.png")
    found = documents_from_message(WorkItem("mail", "<m@x>", "message", bytes(message)))
    assert [d.filename for d in found.documents] == ["INV.XML"]


def test_only_message_payloads_can_be_split() -> None:
    with pytest.raises(TypeError, match="no raw message payload"):
        documents_from_message(WorkItem("desk", "INC1", "ticket", {"number": "INC1"}))
