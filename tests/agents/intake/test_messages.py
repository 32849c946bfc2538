"""Channel parsing with real message bytes: every input becomes a message, problems are named."""

from __future__ import annotations

from pathlib import Path

import pytest

from agents.intake.channels import parse_chat, parse_web_form
from agents.intake.inbox import read_inbox, read_message
from agents.intake.messages import (
    MAX_BODY_CHARS,
    Channel,
    MessageError,
    html_to_text,
    parse_eml,
    strip_quoted,
)

from .conftest import eml

INBOX = Path(__file__).resolve().parents[3] / "fixtures" / "intake" / "inbox"


def test_html_only_mail_keeps_visible_text_and_drops_script() -> None:
    message = parse_eml((INBOX / "01-html-only.eml").read_bytes())
    assert "Where is my order SO-100001?" in message.body
    assert "fetch" not in message.body and "color:red" not in message.body
    assert message.sender_email == "ada.andersen0@acme.example"
    assert message.message_id == "<hw-html-1@acme.example>"
    assert message.problems == ()


def test_multipart_prefers_plain_text_and_lists_attachments_unopened() -> None:
    message = parse_eml((INBOX / "02-multipart-attachment.eml").read_bytes())
    assert message.body.startswith("Hi, could you send me a copy of the invoice for order SO-100011?")
    assert "<p>" not in message.body
    assert [(a.filename, a.content_type) for a in message.attachments] == [
        ("screenshot.pdf", "application/pdf")
    ]
    assert message.attachments[0].size > 0


def test_reply_drops_quoted_history_and_keeps_references() -> None:
    message = parse_eml((INBOX / "03-reply-quoted.eml").read_bytes())
    assert message.body == "Thanks - where is my order SO-100021 now?"
    assert message.in_reply_to == ("<outbound-777@opspack.example>",)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("new text\n\nOn Mon, 6 Oct 2025, Bob wrote:\n> old", "new text"),
        ("new\n> quoted\nmore", "new"),
        ("new\n-----Original Message-----\nold", "new"),
    ],
)
def test_strip_quoted(text: str, expected: str) -> None:
    assert strip_quoted(text) == expected


def test_html_to_text_drops_blockquotes_styles_and_entities() -> None:
    html = "<style>x{}</style><p>Hi &amp; bye</p><blockquote>older mail</blockquote><script>evil()</script>"
    assert html_to_text(html) == "Hi & bye"


def test_empty_mail_is_flagged_empty() -> None:
    message = parse_eml((INBOX / "04-empty.eml").read_bytes())
    assert "empty" in message.problems and message.body == ""


def test_zero_bytes_is_still_a_message_with_a_stable_id() -> None:
    first, second = parse_eml(b""), parse_eml(b"")
    assert first.problems == ("empty",)
    assert first.message_id == second.message_id and first.message_id.startswith("sha256:")


def test_binary_mail_is_flagged() -> None:
    message = parse_eml((INBOX / "05-binary.eml").read_bytes())
    assert "binary_content" in message.problems


def test_mis_encoded_mail_is_flagged_but_readable() -> None:
    message = parse_eml((INBOX / "06-mis-encoded.eml").read_bytes())
    assert "mis_encoded" in message.problems
    assert "SO-100010" in message.body


def test_huge_mail_is_truncated_and_flagged() -> None:
    message = parse_eml(eml("Where is my order SO-100001? " + "blah " * 20_000))
    assert "truncated" in message.problems
    assert len(message.body) == MAX_BODY_CHARS


def test_garbage_headers_are_flagged_not_fatal() -> None:
    message = parse_eml(b"this is not a header line\r\n\x00\x01\x02 nothing else")
    assert message.channel is Channel.EMAIL
    assert message.problems  # named, not silently accepted


def test_chat_uses_customer_turns_and_threads_by_session() -> None:
    message = parse_chat(
        {
            "session_id": "s1",
            "email": "Ada.Andersen0@acme.example",
            "started_at": "2025-10-06T09:00:00+00:00",
            "turns": [
                {"author": "agent", "text": "How can I help?"},
                {"author": "customer", "text": "Where is SO-100001?"},
            ],
        }
    )
    assert message.body == "Where is SO-100001?"
    assert message.in_reply_to == ("chat:s1",)
    assert message.sender_email == "ada.andersen0@acme.example"


def test_chat_and_form_errors_name_the_field() -> None:
    with pytest.raises(MessageError, match="chat transcript: session_id"):
        parse_chat({"started_at": "2025-10-06T09:00:00+00:00", "turns": []})
    with pytest.raises(MessageError, match="web form: not JSON"):
        parse_web_form(b"{not json")


def test_web_form_keeps_company_and_account_in_body() -> None:
    message = parse_web_form(
        {
            "form_id": "f1",
            "name": "Ada",
            "company": "Acme",
            "account_number": "CUST-10001",
            "message": "Hi",
            "submitted_at": "2025-10-06T09:00:00+00:00",
        }
    )
    assert message.body == "Hi\nCompany: Acme\nAccount: CUST-10001"
    assert message.channel is Channel.WEB_FORM


def test_inbox_reads_every_file_and_flags_unparseable_json() -> None:
    messages = read_inbox(INBOX)
    assert len(messages) == len([p for p in INBOX.iterdir() if p.suffix in (".eml", ".json")])
    broken = read_message(INBOX / "12-broken.json")
    assert broken.problems[0] == "unparseable" and "12-broken.json" in broken.problems[1]
    with pytest.raises(MessageError, match="no such inbox folder"):
        read_inbox(INBOX / "missing")
