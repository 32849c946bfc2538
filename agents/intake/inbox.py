"""Reads an inbox folder: `.eml` mail, `.json` chat transcripts and web forms.

A file that cannot be read as its channel still becomes a message flagged `unparseable`, so the
agent files it for a person: nothing in the inbox is silently skipped.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

from agents.intake.channels import parse_chat, parse_web_form
from agents.intake.messages import Channel, InboundMessage, MessageError, parse_eml

SUFFIXES = (".eml", ".json")


def read_message(path: Path) -> InboundMessage:
    raw = path.read_bytes()
    if path.suffix == ".eml":
        return parse_eml(raw)
    try:
        data = json.loads(raw)
        if isinstance(data, dict) and "turns" in data:
            return parse_chat(data)
        return parse_web_form(data)
    except (json.JSONDecodeError, UnicodeDecodeError, MessageError) as exc:
        return InboundMessage(
            channel=Channel.WEB_FORM if path.suffix == ".json" else Channel.EMAIL,
            message_id="file:" + hashlib.sha256(raw).hexdigest()[:32],
            body=raw[:2000].decode("utf-8", "replace"),
            received_at=datetime.now(UTC),
            problems=("unparseable", f"{path.name}: {exc}"[:200]),
        )


def read_inbox(folder: Path) -> list[tuple[Path, InboundMessage]]:
    """Every message file in `folder`, in name order."""
    if not folder.is_dir():
        raise MessageError(f"{folder}: no such inbox folder")
    return [(p, read_message(p)) for p in sorted(folder.iterdir()) if p.suffix in SUFFIXES]
