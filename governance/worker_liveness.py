"""Is the worker that claimed a business key still at it, or did it die?

The executor's ``started`` record names its owner as ``host:pid``. Another worker that finds such a
record must not send the write again while the owner may still be sending it, but must take over
(reconcile first) once the owner is gone. On the same host the answer is exact: the process is
alive or not (a zombie counts as dead), and inside one process a registry of in-flight keys tells
threads apart. For an owner on another host only time can tell: its lease must have run out.
"""

from __future__ import annotations

import os
import socket
import threading
from datetime import datetime, timedelta

_HOST = socket.gethostname()
_in_flight: set[str] = set()
_in_flight_lock = threading.Lock()


def worker_token() -> str:
    """This process's owner name for claimed records."""
    return f"{_HOST}:{os.getpid()}"


def mark_in_flight(key: str) -> None:
    with _in_flight_lock:
        _in_flight.add(key)


def release_in_flight(key: str) -> None:
    with _in_flight_lock:
        _in_flight.discard(key)


def pid_alive(pid: int) -> bool:
    """Whether a local process exists and is not a zombie."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rsplit(")", 1)[-1].split()[0] != "Z"
    except OSError:
        return True


def still_running(owner: str, key: str, updated_at: str, now: datetime, lease: timedelta) -> bool:
    """Whether the worker `owner` may still be performing the write for `key`."""
    host, _, pid_text = owner.rpartition(":")
    if host == _HOST and pid_text.isdigit():
        if int(pid_text) == os.getpid():
            with _in_flight_lock:
                return key in _in_flight
        return pid_alive(int(pid_text))
    return datetime.fromisoformat(updated_at) + lease > now
