"""Who is approving? Command-line approvers prove it with their own token.

The web console authenticates approvers with a login; at a shell, `--as NAME` alone would let
anyone approve as anyone. Each approver therefore has a token stored in the secret provider at
``approvers/<name>/token`` (set by an admin with ``opspack secrets set``), and presents it in
``OPSPACK_APPROVER_TOKEN`` (or at a hidden prompt). The comparison is constant-time and the
token never reaches the ledger, logs or error messages.
"""

from __future__ import annotations

import hmac

from governance.errors import ApprovalError, CredentialError
from governance.secrets import SecretProvider

APPROVER_TOKEN_ENV = "OPSPACK_APPROVER_TOKEN"


def approver_token_path(approver: str) -> str:
    return f"approvers/{approver}/token"


def authenticate_approver(approver: str, presented: str | None, provider: SecretProvider) -> str:
    """Return `approver` if `presented` is their token; otherwise raise `ApprovalError`."""
    if not approver.strip():
        raise ApprovalError("name yourself with --as")
    if not presented:
        raise ApprovalError(
            f"deciding as {approver!r} needs your approver token in {APPROVER_TOKEN_ENV} "
            f"(an admin stores it with `opspack secrets set {approver_token_path(approver)}`)"
        )
    try:
        expected = provider.get(approver_token_path(approver))
    except CredentialError:
        raise ApprovalError(
            f"approver {approver!r} has no token here; an admin stores one with "
            f"`opspack secrets set {approver_token_path(approver)}`"
        ) from None
    if not hmac.compare_digest(expected.encode("utf-8"), presented.encode("utf-8")):
        raise ApprovalError(f"the approver token presented is not {approver!r}'s")
    return approver
