"""Runtime test fixtures: `imap_server`, a real Dovecot started for one test (see dovecot_server.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from dovecot_server import ImapServer, running_dovecot, unavailable_reason


def _start(*, tls: bool) -> Iterator[ImapServer]:
    reason = unavailable_reason()
    if reason is not None:
        pytest.skip(reason)
    try:
        server_context = running_dovecot(tls=tls)
        server = server_context.__enter__()
    except RuntimeError as exc:
        pytest.skip(f"dovecot could not start here: {exc}")
    try:
        yield server
    finally:
        server_context.__exit__(None, None, None)


@pytest.fixture
def imap_server() -> Iterator[ImapServer]:
    """A running dovecot with one empty INBOX; skips with the reason where none can start."""
    yield from _start(tls=False)


@pytest.fixture
def imaps_server() -> Iterator[ImapServer]:
    """The same with an IMAPS port presenting a self-signed certificate (`ca_file`)."""
    yield from _start(tls=True)
