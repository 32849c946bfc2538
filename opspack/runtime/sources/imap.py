"""`ImapSource`: messages in an IMAP mailbox become work items (stdlib `imaplib`).

What is still to do is what carries neither opspack keyword: a settled message gets ``\\Seen`` and
``$OpspackDone`` or ``$OpspackFailed`` (IMAP keywords, RFC 3501 section 2.3.2), so the mailbox
itself records what was handled and a human reading a message first does not hide it from
opspack. Messages are fetched with ``BODY.PEEK[]``, which leaves ``\\Seen`` alone until settled.

The cursor is ``UIDVALIDITY:UID``: every message up to that UID is settled. It only moves past a
message once that message is settled, so a cursor saved at any moment never skips work; when the
server's UIDVALIDITY changes (the mailbox was rebuilt) the source starts again from UID 1 and the
keywords keep it from repeating anything.

With `done_mailbox` / `failed_mailbox` set, a settled message is also moved there (``UID MOVE``,
RFC 6851, where the server has it; else ``UID COPY`` + ``\\Deleted`` + ``UID EXPUNGE`` where the
server has UIDPLUS, otherwise the original is left marked deleted, which the search skips), creating
the folder on first use; it keeps its keywords, so the move is traceable.

One connection per poll and per settle: nothing held open between polls to go stale.
"""

from __future__ import annotations

import contextlib
import imaplib
import logging
import re
import socket
import ssl as ssl_module
from collections.abc import Callable
from typing import Any

from opspack.runtime.sources.base import WorkItem
from opspack.runtime.sources.errors import SourceConfigurationError, SourceError, SourceUnavailableError
from opspack.runtime.sources.mail import message_key, message_metadata

logger = logging.getLogger("opspack.runtime.sources.imap")

DONE_KEYWORD = "$OpspackDone"
FAILED_KEYWORD = "$OpspackFailed"
_UID = re.compile(rb"UID (\d+)")

Connect = Callable[[], imaplib.IMAP4]


class ImapSource:
    """Work items from one IMAP mailbox; see the module docstring."""

    def __init__(
        self,
        name: str,
        host: str,
        port: int,
        username: str,
        password: str,
        mailbox: str = "INBOX",
        ssl: bool = False,
        kind: str = "message",
        *,
        timeout: float = 30.0,
        batch_size: int = 50,
        ssl_context: ssl_module.SSLContext | None = None,
        done_mailbox: str | None = None,
        failed_mailbox: str | None = None,
    ) -> None:
        self.name = name
        self.host = host
        self.port = int(port)
        self.username = username
        self._password = password
        self.mailbox = mailbox
        self.ssl = ssl
        self.kind = kind
        self.timeout = timeout
        self.batch_size = batch_size
        self._ssl_context = ssl_context
        self.done_mailbox = done_mailbox
        self.failed_mailbox = failed_mailbox
        self._in_flight: dict[int, str] = {}
        """UID -> work item key, handed out and not yet settled (two messages may share a Message-ID)."""
        self._uidvalidity: str | None = None

    # -- Source ------------------------------------------------------------------------------

    def poll(self, cursor: str | None) -> tuple[list[WorkItem], str | None]:
        with self._session() as imap:
            validity, uidnext = self._select(imap)
            start = self._start_uid(cursor, validity)
            if validity != self._uidvalidity:
                self._in_flight.clear()
                self._uidvalidity = validity
            criteria = f"UID {start}:* UNDELETED UNKEYWORD {DONE_KEYWORD} UNKEYWORD {FAILED_KEYWORD}"
            uids = [u for u in self._search(imap, criteria) if u >= start]
            items: list[WorkItem] = []
            for uid in uids:
                if uid in self._in_flight:
                    continue
                if len(items) >= self.batch_size:
                    break
                item = self._fetch(imap, uid, validity)
                if item is not None:
                    self._in_flight[uid] = item.key
                    items.append(item)
        pending = set(uids) | set(self._in_flight)
        settled_up_to = min(pending) - 1 if pending else max(uidnext - 1, start - 1)
        return items, f"{validity}:{settled_up_to}"

    def settle(self, item: WorkItem, *, ok: bool, reason: str) -> None:
        """Flag the message ``\\Seen`` and done or failed; the reason goes to the log."""
        uid = item.metadata.get("uid")
        if not isinstance(uid, int):
            raise SourceConfigurationError(self.name, f"work item {item.key!r} carries no IMAP UID")
        keyword = DONE_KEYWORD if ok else FAILED_KEYWORD
        with self._session() as imap:
            validity, _ = self._select(imap)
            if validity != str(item.metadata.get("uidvalidity")):
                raise SourceError(
                    self.name,
                    f"mailbox {self.mailbox} was rebuilt (UIDVALIDITY {validity}) since {item.key} was read;"
                    " it will be read again and recognised by its business key",
                )
            status, data = imap.uid("STORE", str(uid), "+FLAGS.SILENT", f"(\\Seen {keyword})")
            if status != "OK":
                raise SourceUnavailableError(self.name, f"cannot flag UID {uid}: {_text(data)}")
            target = self.done_mailbox if ok else self.failed_mailbox
            if target:
                self._move(imap, uid, target)
        self._in_flight.pop(uid, None)
        logger.info("%s: message %s (UID %s) %s: %s", self.name, item.key, uid, keyword, reason)

    # -- IMAP ----------------------------------------------------------------------------------

    def _session(self) -> _Session:
        return _Session(self)

    def _open(self) -> imaplib.IMAP4:
        where = f"{self.host}:{self.port}"
        try:
            if self.ssl:
                context = self._ssl_context or ssl_module.create_default_context()
                imap: imaplib.IMAP4 = imaplib.IMAP4_SSL(
                    self.host, self.port, ssl_context=context, timeout=self.timeout
                )
            else:
                imap = imaplib.IMAP4(self.host, self.port, timeout=self.timeout)
        except ssl_module.SSLError as exc:
            raise SourceUnavailableError(self.name, f"TLS with IMAP server {where} failed: {exc}") from exc
        except (OSError, imaplib.IMAP4.error) as exc:
            raise SourceUnavailableError(self.name, f"cannot reach IMAP server {where}: {exc}") from exc
        try:
            imap.login(self.username, self._password)
        except imaplib.IMAP4.error as exc:
            _logout(imap)
            raise SourceConfigurationError(
                self.name, f"IMAP server {where} refused the login of {self.username!r}: {exc}"
            ) from exc
        status, data = imap.capability()  # servers announce more (MOVE, UIDPLUS) once logged in
        if status == "OK":
            imap.capabilities = tuple(_text(data).upper().split())
        return imap

    def _select(self, imap: imaplib.IMAP4) -> tuple[str, int]:
        """Open the mailbox; its UIDVALIDITY and UIDNEXT (0 when the server does not say)."""
        status, data = imap.select(_quoted(self.mailbox))
        if status != "OK":
            raise SourceConfigurationError(
                self.name, f"cannot open mailbox {self.mailbox!r} on {self.host}: {_text(data)}"
            )
        _, codes = imap.response("UIDVALIDITY")
        validity = _text(codes).strip()
        if not validity.isdigit():
            raise SourceUnavailableError(self.name, f"{self.host} did not report the UIDVALIDITY")
        _, flags = imap.response("PERMANENTFLAGS")
        if "\\*" not in _text(flags):
            raise SourceConfigurationError(
                self.name,
                f"mailbox {self.mailbox!r} on {self.host} does not accept keywords ({DONE_KEYWORD});"
                " opspack needs them to mark handled messages",
            )
        _, following = imap.response("UIDNEXT")
        uidnext = _text(following).strip()
        return validity, int(uidnext) if uidnext.isdigit() else 0

    def _move(self, imap: imaplib.IMAP4, uid: int, target: str) -> None:
        for attempt in (1, 2):
            if "MOVE" in imap.capabilities:
                status, data = imap.uid("MOVE", str(uid), _quoted(target))
            else:
                status, data = imap.uid("COPY", str(uid), _quoted(target))
                if status == "OK":
                    imap.uid("STORE", str(uid), "+FLAGS.SILENT", "(\\Deleted)")
                    if "UIDPLUS" in imap.capabilities:
                        imap.uid("EXPUNGE", str(uid))
            if status == "OK":
                return
            if attempt == 1 and "TRYCREATE" in _text(data).upper():
                imap.create(_quoted(target))
                continue
            break
        raise SourceUnavailableError(
            self.name, f"flagged UID {uid} but cannot move it to {target!r} on {self.host}: {_text(data)}"
        )

    def _search(self, imap: imaplib.IMAP4, criteria: str) -> list[int]:
        status, data = imap.uid("SEARCH", criteria)
        if status != "OK":
            raise SourceUnavailableError(self.name, f"search failed on {self.host}: {_text(data)}")
        return sorted(int(u) for u in _text(data).split())

    def _fetch(self, imap: imaplib.IMAP4, uid: int, validity: str) -> WorkItem | None:
        status, data = imap.uid("FETCH", str(uid), "(UID BODY.PEEK[])")
        raw = next((part[1] for part in data if isinstance(part, tuple) and _UID.search(part[0])), None)
        if status != "OK" or not isinstance(raw, bytes):
            logger.warning("%s: UID %s vanished before it could be read", self.name, uid)
            return None
        metadata: dict[str, Any] = message_metadata(raw)
        metadata.update({"mailbox": self.mailbox, "uid": uid, "uidvalidity": validity})
        return WorkItem(
            source=self.name,
            key=message_key(raw, metadata["message_id"]),
            kind=self.kind,
            payload=raw,
            filename=None,
            metadata=metadata,
        )

    def _start_uid(self, cursor: str | None, validity: str) -> int:
        if not cursor:
            return 1
        held, sep, last = cursor.partition(":")
        if not sep or not held.isdigit() or not last.isdigit():
            raise SourceConfigurationError(self.name, f"cursor {cursor!r} is not UIDVALIDITY:UID")
        return int(last) + 1 if held == validity else 1


class _Session:
    """Log in on enter, log out on exit, whatever happened in between."""

    def __init__(self, source: ImapSource) -> None:
        self._source = source
        self._imap: imaplib.IMAP4 | None = None

    def __enter__(self) -> imaplib.IMAP4:
        self._imap = self._source._open()
        return self._imap

    def __exit__(self, *exc: object) -> None:
        if self._imap is not None:
            _logout(self._imap)


def _logout(imap: imaplib.IMAP4) -> None:
    with contextlib.suppress(OSError, imaplib.IMAP4.error, socket.timeout):
        imap.logout()


def _quoted(mailbox: str) -> str:
    return '"' + mailbox.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _text(data: Any) -> str:
    parts = data if isinstance(data, list) else [data]
    return " ".join(
        p.decode("utf-8", "replace") if isinstance(p, bytes) else str(p) for p in parts if p is not None
    )
