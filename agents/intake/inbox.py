"""Reads an inbox folder: `.eml` mail, `.json` chat transcripts and web forms.

A file that cannot be read as its channel still becomes a message flagged `unparseable`, so the
agent files it for a person: nothing in the inbox is silently skipped.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

from agents.bounded_json import loads_json_bounded
from agents.intake.channels import parse_chat, parse_web_form
from agents.intake.messages import MAX_RAW_BYTES, Channel, InboundMessage, MessageError, parse_eml

SUFFIXES = (".eml", ".json")
MAX_JSON_BYTES = 1_000_000
"""A chat transcript or web form larger than this is filed for a person unread."""
MAX_JSON_DEPTH = 32


def _read_capped(path: Path, cap: int) -> tuple[bytes, bool]:
    """At most `cap` bytes of the file (one byte more tells it was longer)."""
    with path.open("rb") as handle:
        raw = handle.read(cap + 1)
    return raw[:cap], len(raw) > cap


def read_message(path: Path) -> InboundMessage:
    """One inbox file as a message; never raises for bad content (a problem is flagged instead).

    Only the capped number of bytes is read; a RecursionError or MemoryError while parsing (a
    MIME structure nested thousands deep, say) files the message as unparseable like any other
    unreadable content.
    """
    email = path.suffix == ".eml"
    # parse_eml flags and truncates what is longer than MAX_RAW_BYTES itself
    raw, longer = _read_capped(path, MAX_RAW_BYTES + 1 if email else MAX_JSON_BYTES)
    try:
        if email:
            return parse_eml(raw)
        if longer:
            raise MessageError(f"larger than the limit of {MAX_JSON_BYTES} bytes")
        data = loads_json_bounded(raw, MAX_JSON_DEPTH)
        if isinstance(data, dict) and "turns" in data:
            return parse_chat(data)
        return parse_web_form(data)
    except (ValueError, UnicodeDecodeError, MessageError, RecursionError, MemoryError) as exc:
        problem = (
            f"nested too deeply to read ({type(exc).__name__})" if isinstance(exc, RecursionError) else exc
        )
        return InboundMessage(
            channel=Channel.EMAIL if email else Channel.WEB_FORM,
            message_id="file:" + hashlib.sha256(raw).hexdigest()[:32],
            body=raw[:2000].decode("utf-8", "replace"),
            received_at=datetime.now(UTC),
            problems=("unparseable", f"{path.name}: {problem}"[:200]),
        )


def read_inbox(folder: Path) -> list[tuple[Path, InboundMessage]]:
    """Every message file in `folder`, in name order."""
    if not folder.is_dir():
        raise MessageError(f"{folder}: no such inbox folder")
    return [(p, read_message(p)) for p in sorted(folder.iterdir()) if p.suffix in SUFFIXES]
