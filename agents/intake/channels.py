"""Chat transcripts, web forms and CRM inbound cases as `InboundMessage`s.

Chat and web-form payloads are strict pydantic models: a malformed payload is a `MessageError`
naming the field. A chat session threads by its session id; a web form or CRM case carrying a
case number continues that case.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from agents.bounded_json import loads_json_bounded
from agents.intake.messages import Channel, InboundMessage, MessageError, clean_body
from connectors.crm.models import Case

MAX_JSON_DEPTH = 32
"""Chat and web-form payloads are flat; anything nested deeper is refused, not parsed."""


class ChatTurn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    author: str
    """"customer" or "agent"; agent turns are context, not customer text."""
    text: str


class ChatTranscript(BaseModel):
    model_config = ConfigDict(extra="forbid")

    session_id: str = Field(min_length=1)
    email: str | None = None
    name: str | None = None
    started_at: datetime
    turns: list[ChatTurn]


class WebForm(BaseModel):
    model_config = ConfigDict(extra="forbid")

    form_id: str = Field(min_length=1)
    email: str | None = None
    name: str | None = None
    company: str | None = None
    account_number: str | None = None
    topic: str = ""
    message: str = ""
    case_number: str | None = None
    submitted_at: datetime


def _model(model: type[ChatTranscript] | type[WebForm], data: Any, what: str) -> Any:
    if isinstance(data, bytes | str):
        try:
            data = loads_json_bounded(data, MAX_JSON_DEPTH)
        except (ValueError, UnicodeDecodeError) as exc:
            raise MessageError(f"{what}: not JSON: {exc}") from None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise MessageError(f"{what}: {where}: {first['msg']}") from None


def parse_chat(data: Any) -> InboundMessage:
    """A chat transcript: the customer's turns form the body; the session id threads it."""
    chat: ChatTranscript = _model(ChatTranscript, data, "chat transcript")
    problems: list[str] = []
    body = clean_body("\n".join(t.text for t in chat.turns if t.author.lower() == "customer"), problems)
    return InboundMessage(
        channel=Channel.CHAT,
        message_id=f"chat:{chat.session_id}:{len(chat.turns)}",
        in_reply_to=(f"chat:{chat.session_id}",),
        sender_email=chat.email.lower() if chat.email else None,
        sender_name=chat.name,
        body=body,
        received_at=chat.started_at,
        problems=tuple(problems),
    )


def parse_web_form(data: Any) -> InboundMessage:
    """A web-form submission; the account number and company given are kept in the body text."""
    form: WebForm = _model(WebForm, data, "web form")
    problems: list[str] = []
    extra = "\n".join(
        f"{label}: {value}"
        for label, value in (("Company", form.company), ("Account", form.account_number))
        if value
    )
    body = clean_body(f"{form.message}\n{extra}".strip(), problems)
    return InboundMessage(
        channel=Channel.WEB_FORM,
        message_id=f"form:{form.form_id}",
        case_number=form.case_number,
        sender_email=form.email.lower() if form.email else None,
        sender_name=form.name,
        subject=form.topic[:255],
        body=body,
        received_at=form.submitted_at,
        problems=tuple(problems),
    )


def from_crm_case(
    case: Case, *, sender_email: str | None = None, sender_name: str | None = None
) -> InboundMessage:
    """A case opened in the CRM (phone note, portal, another team): intake works on it in place."""
    problems: list[str] = []
    body = clean_body(case.description or "", problems)
    return InboundMessage(
        channel=Channel.CRM,
        message_id=f"crm:{case.id}",
        case_number=case.number,
        sender_email=sender_email.lower() if sender_email else None,
        sender_name=sender_name,
        subject=case.subject,
        body=body,
        received_at=case.created_at,
        problems=tuple(problems),
    )
