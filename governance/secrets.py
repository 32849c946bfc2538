"""Where agent credentials come from: pluggable secret providers behind one small Protocol.

Connections name secrets by reference (``secret:servicenow/service_desk/password``); a provider
turns the path into the value. Built in: environment variables (`EnvSecretProvider`), an
encrypted, permission-checked file (`FileSecretStore`) and a chain of both
(`ChainSecretProvider`, first provider that has the path wins). Every value a provider hands out is
registered with `governance.redaction`, so it is scrubbed from logs and error lines from then on.
A missing secret raises `MissingSecretError` naming the path -- never a value.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import threading
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: the in-process lock still applies
    fcntl = None  # type: ignore[assignment]

from governance.errors import CredentialError
from governance.private_files import (
    check_private_file,
    create_private_file_once,
    make_private_dir,
    write_private_file,
)
from governance.redaction import REDACTED, register_secret

SECRET_REFERENCE_PREFIX = "secret:"
ENV_PREFIX = "OPSPACK_SECRET_"
SECRETS_KEY_ENV = "OPSPACK_SECRETS_KEY"
SECRETS_FILE_ENV = "OPSPACK_SECRETS_FILE"
DEFAULT_STORE_PATH = Path(".opspack") / "secrets.json"
DEFAULT_KEY_PATH = Path(".opspack") / "secrets.key"
STORE_FORMAT = "opspack-secrets/1"

_PATH_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*(/[A-Za-z0-9][A-Za-z0-9_.-]*)*$")


class MissingSecretError(CredentialError):
    """No provider has a value for the path (the message names the path and where it looked)."""

    def __init__(self, path: str, looked_in: str) -> None:
        super().__init__(f"secret {path!r} not found ({looked_in})")
        self.path = path


def validate_path(path: str) -> str:
    """`path` if it is ``segment/segment/...`` of letters, digits, ``_ . -``; else CredentialError."""
    if path.startswith(SECRET_REFERENCE_PREFIX):
        path = path[len(SECRET_REFERENCE_PREFIX) :]
    if not _PATH_PATTERN.match(path):
        raise CredentialError(
            f"invalid secret path {path!r}: use segments of letters, digits, '_', '.', '-' joined by '/'"
        )
    return path


class SecretValue:
    """A secret that does not print itself: ``str``/``repr`` show ``[redacted]``; `reveal` gives it."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        register_secret(value)
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __str__(self) -> str:
        return REDACTED

    def __repr__(self) -> str:
        return f"SecretValue({REDACTED!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SecretValue) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


@runtime_checkable
class SecretProvider(Protocol):
    """Reads secrets by path."""

    def get(self, path: str) -> str:
        """The value at `path`; `MissingSecretError` if absent, `CredentialError` if unsafe."""
        ...

    def describe(self) -> str:
        """Where this provider looks, for messages (never a value)."""
        ...


@runtime_checkable
class WritableSecretProvider(SecretProvider, Protocol):
    """A provider that can also store secrets (rotation writes the new value through it)."""

    def set(self, path: str, value: str) -> None: ...


def env_var_for(path: str, prefix: str = ENV_PREFIX) -> str:
    """``servicenow/service_desk/password`` -> ``OPSPACK_SECRET_SERVICENOW__SERVICE_DESK__PASSWORD``."""
    segments = validate_path(path).split("/")
    return prefix + "__".join(re.sub(r"[^A-Za-z0-9]", "_", s).upper() for s in segments)


class EnvSecretProvider:
    """Secrets from environment variables (read-only: a process cannot persist its environment)."""

    def __init__(self, environ: Mapping[str, str] | None = None, *, prefix: str = ENV_PREFIX) -> None:
        self._environ = environ if environ is not None else os.environ
        self.prefix = prefix

    def get(self, path: str) -> str:
        name = env_var_for(path, self.prefix)
        value = self._environ.get(name)
        if not value:
            raise MissingSecretError(validate_path(path), f"environment variable {name} is not set")
        register_secret(value)
        return value

    def describe(self) -> str:
        return f"environment variables {self.prefix}*"


def load_or_create_key(key_path: Path, environ: Mapping[str, str] | None = None) -> MultiFernet:
    """The store's Fernet key(s): ``OPSPACK_SECRETS_KEY`` (comma-separated; the first encrypts),
    else the key file, created 0600 with a fresh key on first use and refused if readable by others."""
    env = environ if environ is not None else os.environ
    raw = env.get(SECRETS_KEY_ENV, "").strip()
    source = f"${SECRETS_KEY_ENV}"
    if not raw:
        source = str(key_path)
        create_private_file_once(key_path, Fernet.generate_key() + b"\n")
        check_private_file(key_path, "secrets key file")
        raw = key_path.read_text(encoding="ascii", errors="replace").strip()
    try:
        return MultiFernet([Fernet(part.strip().encode("ascii")) for part in raw.split(",") if part.strip()])
    except (ValueError, UnicodeEncodeError):
        raise CredentialError(
            f"the secrets key from {source} is not a Fernet key (32 url-safe base64-encoded bytes)"
        ) from None


class FileSecretStore:
    """Secrets in one JSON document, each value a Fernet token; the file and its key must be 0600.

    Paths stay readable (``opspack`` can list what exists without the key), values do not. Writes
    are atomic (temp file + rename) and serialised, across processes too (``flock``).
    """

    def __init__(
        self,
        path: str | Path | None = None,
        *,
        key_path: str | Path | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        env = environ if environ is not None else os.environ
        self.path = Path(path or env.get(SECRETS_FILE_ENV) or DEFAULT_STORE_PATH)
        self.key_path = Path(key_path) if key_path else self.path.with_name(DEFAULT_KEY_PATH.name)
        self._environ = env
        self._fernet: MultiFernet | None = None
        self._lock = threading.Lock()

    def _cipher(self) -> MultiFernet:
        if self._fernet is None:
            self._fernet = load_or_create_key(self.key_path, self._environ)
        return self._fernet

    def _read(self) -> dict[str, str]:
        if not self.path.exists():
            return {}
        check_private_file(self.path, "secrets file")
        try:
            document = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise CredentialError(f"secrets file {self.path} is unreadable or not JSON: {exc}") from None
        if not isinstance(document, dict) or document.get("format") != STORE_FORMAT:
            raise CredentialError(f"secrets file {self.path} is not an opspack secrets file ({STORE_FORMAT})")
        entries = document.get("secrets", {})
        if not isinstance(entries, dict) or not all(isinstance(v, str) for v in entries.values()):
            raise CredentialError(f"secrets file {self.path}: 'secrets' must map paths to encrypted tokens")
        return entries

    def get(self, path: str) -> str:
        path = validate_path(path)
        token = self._read().get(path)
        if token is None:
            raise MissingSecretError(path, f"not in {self.path}")
        try:
            value = self._cipher().decrypt(token.encode("ascii")).decode("utf-8")
        except (InvalidToken, UnicodeError):
            raise CredentialError(
                f"cannot decrypt secret {path!r} in {self.path}: wrong key or corrupted entry"
            ) from None
        register_secret(value)
        return value

    @contextlib.contextmanager
    def _writing(self) -> Iterator[dict[str, str]]:
        """Read-modify-write under a thread lock and, on POSIX, an exclusive lock on a sibling
        ``.lock`` file, so concurrent writers in other processes never drop each other's entries."""
        with self._lock:
            make_private_dir(self.path.parent)
            lock_fd = os.open(self.path.with_name(self.path.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
            try:
                if os.name == "posix":
                    os.fchmod(lock_fd, 0o600)
                if fcntl is not None:
                    fcntl.flock(lock_fd, fcntl.LOCK_EX)
                entries = self._read()
                yield entries
                document = {"format": STORE_FORMAT, "secrets": dict(sorted(entries.items()))}
                write_private_file(self.path, (json.dumps(document, indent=2) + "\n").encode("utf-8"))
            finally:
                os.close(lock_fd)  # closing releases the flock

    def set(self, path: str, value: str) -> None:
        path = validate_path(path)
        if not value:
            raise CredentialError(f"refusing to store an empty secret at {path!r}")
        register_secret(value)
        cipher = self._cipher()
        with self._writing() as entries:
            entries[path] = cipher.encrypt(value.encode("utf-8")).decode("ascii")

    def set_if_absent(self, path: str, value: str) -> str:
        """Store `value` at `path` unless a value is there already; returns the value that is.

        Under the same locks as `set`, so of two processes creating a key at once both end up
        using the one that was stored first.
        """
        path = validate_path(path)
        if not value:
            raise CredentialError(f"refusing to store an empty secret at {path!r}")
        cipher = self._cipher()
        with self._writing() as entries:
            if path not in entries:
                entries[path] = cipher.encrypt(value.encode("utf-8")).decode("ascii")
        return self.get(path)

    def delete(self, path: str) -> None:
        path = validate_path(path)
        with self._writing() as entries:
            if entries.pop(path, None) is None:
                raise MissingSecretError(path, f"not in {self.path}")

    def paths(self) -> list[str]:
        """The stored paths (no key needed, no value revealed)."""
        return sorted(self._read())

    def describe(self) -> str:
        return f"encrypted file {self.path}"


class ChainSecretProvider:
    """Asks each provider in order; the first that has the path wins. Writes go to the first
    writable provider. Unsafe stores raise rather than being skipped (fail closed)."""

    def __init__(self, providers: Sequence[SecretProvider]) -> None:
        if not providers:
            raise CredentialError("a secret provider chain needs at least one provider")
        self.providers = tuple(providers)

    def get(self, path: str) -> str:
        path = validate_path(path)
        for provider in self.providers:
            try:
                return provider.get(path)
            except MissingSecretError:
                continue
        raise MissingSecretError(path, "looked in " + "; ".join(p.describe() for p in self.providers))

    def source_of(self, path: str) -> SecretProvider | None:
        """The provider that currently answers for `path`, or None."""
        for provider in self.providers:
            try:
                provider.get(path)
            except MissingSecretError:
                continue
            return provider
        return None

    @property
    def writable(self) -> WritableSecretProvider | None:
        return next((p for p in self.providers if isinstance(p, WritableSecretProvider)), None)

    def set(self, path: str, value: str) -> None:
        target = self.writable
        if target is None:
            raise CredentialError(
                "no writable secret provider configured ("
                + "; ".join(p.describe() for p in self.providers)
                + ")"
            )
        target.set(path, value)

    def describe(self) -> str:
        return " -> ".join(p.describe() for p in self.providers)


def writable_provider(provider: SecretProvider) -> WritableSecretProvider | None:
    """The provider that `set` would write to, or None where nothing is writable."""
    if isinstance(provider, ChainSecretProvider):
        return provider.writable
    return provider if isinstance(provider, WritableSecretProvider) else None


def default_provider(environ: Mapping[str, str] | None = None) -> ChainSecretProvider:
    """Environment first (operators override), then the encrypted file store."""
    env = environ if environ is not None else os.environ
    return ChainSecretProvider([EnvSecretProvider(env), FileSecretStore(environ=env)])


def parse_reference(value: Any) -> str | None:
    """The path of a ``secret:<path>`` reference, or None if `value` is not a reference."""
    if isinstance(value, str) and value.startswith(SECRET_REFERENCE_PREFIX):
        return validate_path(value)
    return None


def iter_references(values: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """``(key, path)`` for every value of `values` that is a secret reference."""
    for key, value in values.items():
        path = parse_reference(value)
        if path is not None:
            yield key, path
