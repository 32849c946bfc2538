"""A real IMAP server for the runtime tests: Debian's dovecot run as an unprivileged process on loopback.

Dovecot runs in its "non-root" mode: every internal and login process runs as the user that started
it, login processes are not chrooted, and the one mail user's maildir lives in a private folder.
When the tests run as root, the server is started as ``nobody`` (dovecot itself refuses mail logins
with UID 0), so the folder is created world-traversable and handed to that user.
"""

from __future__ import annotations

import grp
import ipaddress
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

DOVECOT = shutil.which("dovecot") or ("/usr/sbin/dovecot" if Path("/usr/sbin/dovecot").exists() else None)
USER = "opspack"
PASSWORD = "imap-test-password"

CONFIG = """\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
info_log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
{ssl}
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
default_internal_user = {user}
default_internal_group = {group}
default_login_user = {user}
first_valid_uid = {uid}
last_valid_uid = {uid}
mail_location = maildir:{root}/mail/%u
mail_plugins =
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {root}/passwd
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {tls_port}
  }}
}}
service anvil {{
  chroot =
}}
service stats {{
  unix_listener stats-reader {{
    user = {user}
  }}
  unix_listener stats-writer {{
    user = {user}
  }}
}}
"""


@dataclass(frozen=True)
class ImapServer:
    host: str
    port: int
    username: str
    password: str
    log: Path
    tls_port: int | None = None
    """The implicit-TLS (IMAPS) port, when started with ``tls=True``."""
    ca_file: Path | None = None
    """The self-signed certificate the IMAPS port presents (for the client's trust store)."""


def unavailable_reason() -> str | None:
    """Why no test IMAP server can start here, or None."""
    if DOVECOT is None:
        return "dovecot is not installed (Debian package dovecot-imapd)"
    return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_listening(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"dovecot exited with {process.returncode}: {_tail(log)}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5) as conn:
                if conn.recv(64).startswith(b"* OK"):
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"dovecot did not answer on 127.0.0.1:{port}: {_tail(log)}")


def _tail(log: Path) -> str:
    text = ""
    for path in (log, log.with_name("stderr.log")):
        if path.exists():
            text += path.read_text(errors="replace")[-2000:]
    return text or "(no log)"


def _self_signed(root: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 / localhost, valid for a day, and its key."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(hours=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = root / "cert.pem", root / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    key_path.chmod(0o600)
    return cert_path, key_path


@contextmanager
def running_dovecot(*, tls: bool = False) -> Iterator[ImapServer]:
    """Start dovecot on free loopback ports (plus IMAPS with a self-signed certificate when `tls`);
    stop it and remove its folder afterwards."""
    assert DOVECOT is not None
    as_root = os.geteuid() == 0
    account = pwd.getpwnam("nobody") if as_root else pwd.getpwuid(os.geteuid())
    root = Path(tempfile.mkdtemp(prefix="opspack-dovecot-"))
    try:
        for sub in ("run", "state", "mail"):
            (root / sub).mkdir()
        port = _free_port()
        tls_port = _free_port() if tls else None
        ssl = "ssl = no"
        cert_path = None
        if tls:
            cert_path, key_path = _self_signed(root)
            ssl = f"ssl = yes\nssl_cert = <{cert_path}\nssl_key = <{key_path}"
        group = _group_name(account.pw_gid)
        (root / "dovecot.conf").write_text(
            CONFIG.format(
                root=root,
                user=account.pw_name,
                group=group,
                uid=account.pw_uid,
                port=port,
                ssl=ssl,
                tls_port=tls_port or 0,
            )
        )
        (root / "passwd").write_text(
            f"{USER}:{{PLAIN}}{PASSWORD}:{account.pw_uid}:{account.pw_gid}::{root}/mail/{USER}::\n"
        )
        if as_root:
            root.chmod(0o755)
            for path in [root, *root.rglob("*")]:
                os.chown(path, account.pw_uid, account.pw_gid)
        log = root / "dovecot.log"
        errors = (root / "stderr.log").open("wb")
        process = subprocess.Popen(
            [DOVECOT, "-F", "-c", str(root / "dovecot.conf")],
            stdout=subprocess.DEVNULL,
            stderr=errors,
            user=account.pw_uid if as_root else None,
            group=account.pw_gid if as_root else None,
            extra_groups=[] if as_root else None,
        )
        try:
            _wait_listening(port, process, log)
            yield ImapServer("127.0.0.1", port, USER, PASSWORD, log, tls_port, cert_path)
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            errors.close()
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _group_name(gid: int) -> str:
    return grp.getgrgid(gid).gr_name
