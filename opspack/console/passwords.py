"""Password hashing for console users: scrypt from the standard library, parameters in the hash.

A stored hash reads ``scrypt$<n>$<r>$<p>$<salt>$<key>`` (salt and key in URL-safe base64), so the
cost can be raised later without invalidating existing users: each hash is verified with its own
parameters. The default cost follows OWASP's minimum for scrypt (n = 2**17, r = 8, p = 1; about
128 MiB and a third of a second per check), which is what makes a stolen users file slow to crack.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

from opspack.console.errors import ConsoleConfigError

DEFAULT_N, DEFAULT_R, DEFAULT_P = 2**17, 8, 1
KEY_BYTES, SALT_BYTES = 32, 16
MIN_PASSWORD_LENGTH = 12
_MAX_MEMORY = 512 * 1024 * 1024


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _derive(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=KEY_BYTES, maxmem=_MAX_MEMORY
    )


def hash_password(password: str, *, n: int = DEFAULT_N, r: int = DEFAULT_R, p: int = DEFAULT_P) -> str:
    """A new salted hash of `password`; refuses passwords shorter than `MIN_PASSWORD_LENGTH`."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ConsoleConfigError(f"a console password needs at least {MIN_PASSWORD_LENGTH} characters")
    salt = os.urandom(SALT_BYTES)
    return f"scrypt${n}${r}${p}${_b64(salt)}${_b64(_derive(password, salt, n, r, p))}"


def check_hash_format(stored: str) -> None:
    """Raise `ConsoleConfigError` when `stored` is not a hash this module wrote."""
    parts = stored.split("$")
    if len(parts) != 6 or parts[0] != "scrypt" or not all(part.isdigit() for part in parts[1:4]):
        raise ConsoleConfigError(
            "password_hash is not an scrypt hash (write it with `opspack console add-user`)"
        )
    n = int(parts[1])
    if n < 2**10 or n & (n - 1):
        raise ConsoleConfigError("password_hash: scrypt n must be a power of two of at least 1024")


def verify_password(password: str, stored: str) -> bool:
    """Whether `password` matches `stored`; constant-time in the comparison."""
    check_hash_format(stored)
    _, n, r, p, salt, key = stored.split("$")
    candidate = _derive(password, _unb64(salt), int(n), int(r), int(p))
    return hmac.compare_digest(candidate, _unb64(key))


_DUMMY_SALT = os.urandom(SALT_BYTES)


def burn_equivalent_time(password: str, like: str | None = None) -> None:
    """Spend what a real check costs, so an unknown user name is not revealed by a fast answer."""
    n, r, p = DEFAULT_N, DEFAULT_R, DEFAULT_P
    if like is not None:
        check_hash_format(like)
        _, n_text, r_text, p_text, _, _ = like.split("$")
        n, r, p = int(n_text), int(r_text), int(p_text)
    _derive(password, _DUMMY_SALT, n, r, p)
