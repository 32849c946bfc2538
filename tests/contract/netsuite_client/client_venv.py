"""Creates, or reuses, the virtual environment the PyPI NetSuite client runs in.

``python tests/contract/netsuite_client/client_venv.py [PATH]`` (``make netsuite-venv``, and the
thirdparty test's fixture on first use) builds ``PATH`` (default ``.venv-netsuite`` at the
repository root) from ``requirements.txt`` next to this file, through pip and the configured
package index. A stamp named after the requirements' hash marks a finished build: while it is
present the venv is reused as is; when the requirements change the venv is rebuilt. A lock file
keeps parallel test workers from building it twice. Prints the venv's interpreter.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

REQUIREMENTS = Path(__file__).with_name("requirements.txt")
DEFAULT_VENV = Path(__file__).resolve().parents[3] / ".venv-netsuite"
_PIP_TAIL_LINES = 15


class ClientVenvError(RuntimeError):
    """The venv could not be built (typically: no package index reachable)."""


def requirements_stamp(requirements: Path = REQUIREMENTS) -> str:
    return ".installed-" + hashlib.sha256(requirements.read_bytes()).hexdigest()[:12]


def interpreter(venv: Path) -> Path:
    return venv / "bin" / "python"


@contextlib.contextmanager
def _locked(venv: Path) -> Iterator[None]:
    venv.parent.mkdir(parents=True, exist_ok=True)
    with open(venv.parent / f"{venv.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _run(command: list[str]) -> None:
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        tail = "\n".join((done.stderr or done.stdout).strip().splitlines()[-_PIP_TAIL_LINES:])
        raise ClientVenvError(f"{' '.join(command[:4])} ... failed ({done.returncode}):\n{tail}")


def ensure_client_venv(
    venv: Path = DEFAULT_VENV, requirements: Path = REQUIREMENTS, python: str = sys.executable
) -> Path:
    """The interpreter of `venv`, built from `requirements` unless a build of them is already there."""
    stamp = venv / requirements_stamp(requirements)
    with _locked(venv):
        if stamp.exists() and interpreter(venv).exists():
            return interpreter(venv)
        shutil.rmtree(venv, ignore_errors=True)
        _run([python, "-m", "venv", str(venv)])
        pip = [str(interpreter(venv)), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
        try:
            _run([*pip, "--timeout", "30", "--retries", "2", "-r", str(requirements)])
        except ClientVenvError:
            shutil.rmtree(venv, ignore_errors=True)  # no half-built venv is ever taken for a finished one
            raise
        stamp.touch()
        return interpreter(venv)


def main(argv: list[str]) -> int:
    target = Path(argv[1]) if len(argv) > 1 else DEFAULT_VENV
    try:
        print(ensure_client_venv(target.resolve()))
    except ClientVenvError as exc:
        print(f"cannot build the NetSuite client venv at {target}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
