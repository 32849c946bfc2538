"""The two ledger keys that live outside the database: the record MAC key and the anchor signing key.

- ``ledger/mac_key`` (32 random bytes, base64url): every record carries
  ``mac = HMAC-SHA256(mac_key, record hash)``. Someone who can write the database but does not
  hold this key cannot forge a record that verifies, even after recomputing every SHA-256 hash:
  verification names the first record whose MAC fails.
- ``ledger/anchor_signing_key`` (an Ed25519 private key as its 32-byte seed, base64url): signs
  every anchor (Merkle root, record count, head hash) written outside the database. Its public
  key (`LedgerKeys.public_key_pem`) can be handed to auditors, who then check anchors without
  being able to forge them.

Both come from the secret provider (environment first, then the encrypted 0600 file store; see
`governance.secrets`). Writers create missing keys on first use, once, in the writable store;
verification never creates anything (`load_ledger_keys(create=False)`).
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from governance.errors import CredentialError
from governance.secrets import MissingSecretError, SecretProvider, default_provider, writable_provider

MAC_KEY_PATH = "ledger/mac_key"
SIGNING_KEY_PATH = "ledger/anchor_signing_key"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii")


def _unb64(text: str, path: str, size: int) -> bytes:
    try:
        raw = base64.urlsafe_b64decode(text.strip().encode("ascii"))
    except (binascii.Error, ValueError, UnicodeEncodeError):
        raise CredentialError(f"secret {path!r} is not base64url") from None
    if len(raw) != size:
        raise CredentialError(f"secret {path!r} must hold {size} bytes, it holds {len(raw)}")
    return raw


def key_id(public_key: Ed25519PublicKey) -> str:
    """A short fingerprint of a public key: the first 16 hex digits of SHA-256 over its raw bytes."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def load_public_key(data: bytes) -> Ed25519PublicKey:
    """An Ed25519 public key from PEM (as `LedgerKeys.public_key_pem` writes it)."""
    try:
        key = serialization.load_pem_public_key(data)
    except ValueError as exc:
        raise CredentialError(f"not a PEM public key: {exc}") from None
    if not isinstance(key, Ed25519PublicKey):
        raise CredentialError("the public key is not an Ed25519 key")
    return key


@dataclass(frozen=True)
class LedgerKeys:
    """What the ledger signs and MACs with. Either part may be absent when only verifying."""

    mac_key: bytes | None
    signing_key: Ed25519PrivateKey | None = None
    trusted: tuple[Ed25519PublicKey, ...] = ()
    """Public keys anchors are checked against (the signing key's own public key included)."""

    @property
    def key_id(self) -> str:
        """The signing key's fingerprint (empty without a signing key)."""
        return key_id(self.signing_key.public_key()) if self.signing_key is not None else ""

    def mac(self, record_hash: str) -> str:
        if self.mac_key is None:
            raise CredentialError(f"the ledger MAC key is not available (secret {MAC_KEY_PATH!r})")
        keyed = self._keyed_hmac.copy()  # the key schedule is computed once per key
        keyed.update(record_hash.encode("ascii"))
        return keyed.hexdigest()

    @functools.cached_property
    def _keyed_hmac(self) -> hmac.HMAC:
        assert self.mac_key is not None
        return hmac.new(self.mac_key, digestmod=hashlib.sha256)

    def mac_matches(self, record_hash: str, mac: str) -> bool:
        return hmac.compare_digest(self.mac(record_hash), mac)

    def sign(self, message: bytes) -> tuple[str, str]:
        """``(key id, base64url signature)`` over `message`."""
        if self.signing_key is None:
            raise CredentialError(f"the anchor signing key is not available (secret {SIGNING_KEY_PATH!r})")
        return key_id(self.signing_key.public_key()), _b64(self.signing_key.sign(message))

    def signature_valid(self, message: bytes, kid: str, signature: str) -> bool:
        try:
            raw = base64.urlsafe_b64decode(signature.encode("ascii"))
        except (binascii.Error, ValueError, UnicodeEncodeError):
            return False
        for public in self.trusted:
            if key_id(public) != kid:
                continue
            try:
                public.verify(raw, message)
            except InvalidSignature:
                return False
            return True
        return False

    def public_key_pem(self) -> str:
        if self.signing_key is None:
            raise CredentialError(f"the anchor signing key is not available (secret {SIGNING_KEY_PATH!r})")
        return (
            self.signing_key.public_key()
            .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
            .decode("ascii")
        )

    def with_trusted(self, *extra: Ed25519PublicKey) -> LedgerKeys:
        return LedgerKeys(self.mac_key, self.signing_key, (*self.trusted, *extra))


def _secret(provider: SecretProvider, path: str, create: bool, make: bytes) -> str | None:
    try:
        return provider.get(path)
    except MissingSecretError:
        if not create:
            return None
    target = writable_provider(provider)
    if target is None:
        raise CredentialError(
            f"ledger key {path!r} is missing and no writable secret store is configured "
            f"({provider.describe()})"
        )
    set_if_absent = getattr(target, "set_if_absent", None)
    if callable(set_if_absent):  # two first writers racing keep one key
        return str(set_if_absent(path, _b64(make)))
    target.set(path, _b64(make))
    return provider.get(path)


def load_ledger_keys(provider: SecretProvider | None = None, *, create: bool = True) -> LedgerKeys:
    """The ledger keys from `provider` (default: the default provider); created when missing if
    `create`, else left out (verification then reports what it cannot check)."""
    provider = provider or default_provider()
    mac_text = _secret(provider, MAC_KEY_PATH, create, secrets.token_bytes(32))
    seed_text = _secret(provider, SIGNING_KEY_PATH, create, secrets.token_bytes(32))
    mac_key = _unb64(mac_text, MAC_KEY_PATH, 32) if mac_text is not None else None
    signing = (
        Ed25519PrivateKey.from_private_bytes(_unb64(seed_text, SIGNING_KEY_PATH, 32))
        if seed_text is not None
        else None
    )
    return LedgerKeys(mac_key, signing, (signing.public_key(),) if signing else ())


def generated_keys() -> LedgerKeys:
    """Fresh keys held only in memory (tests, throw-away in-memory ledgers)."""
    signing = Ed25519PrivateKey.generate()
    return LedgerKeys(secrets.token_bytes(32), signing, (signing.public_key(),))
