"""Who is asking, and for whom: from the ITSM caller record and the directory, never from the text.

The requester is the ticket's caller as the ITSM tool records it, resolved to the directory by an
exact login, then an exact e-mail (`connectors.directory.lookup` rules: a look-alike is no match,
an e-mail shared by two accounts is ambiguous). The target is the requester unless the text names
someone else or speaks of a third person; then it is that person only if an exact login or e-mail
identifies them -- and the playbook still decides whether the requester may act for them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from agents.service_desk.entities import Entities
from agents.service_desk.understanding import Signals
from connectors.directory.errors import AmbiguousUserError
from connectors.directory.models import DirectoryUser, UserStatus
from connectors.directory.protocol import DirectoryConnector
from connectors.errors import NotFoundError
from connectors.itsm.models import ITSMUser
from connectors.itsm.protocol import ITSMConnector

_INACTIVE = frozenset({UserStatus.SUSPENDED, UserStatus.DEPROVISIONED, UserStatus.STAGED})


@dataclass(frozen=True)
class Requester:
    itsm_user: ITSMUser | None
    user: DirectoryUser | None
    problem: str | None
    """Reason code when the requester is not verified (``requester_unverified`` ...)."""
    lookups: tuple[str, ...]

    @property
    def verified(self) -> bool:
        return self.problem is None and self.user is not None

    @property
    def login_domain(self) -> str | None:
        if self.user is None or "@" not in self.user.login:
            return None
        return self.user.login.rsplit("@", 1)[1]


def resolve_requester(itsm: ITSMConnector, directory: DirectoryConnector, caller: str | None) -> Requester:
    lookups: list[str] = []
    if not caller:
        return Requester(None, None, "requester_unknown", ("itsm: the ticket has no caller",))
    try:
        itsm_user = itsm.get_user(caller)
    except NotFoundError:
        return Requester(None, None, "requester_unknown", (f"itsm: no user {caller}",))
    lookups.append(f"itsm: caller {itsm_user.user_name} <{itsm_user.email or 'no e-mail'}>")
    if not itsm_user.active:
        return Requester(itsm_user, None, "requester_inactive", tuple(lookups))
    if not itsm_user.email:
        return Requester(itsm_user, None, "requester_unverified", tuple(lookups))
    user: DirectoryUser | None = None
    try:
        user = directory.find_user(login=itsm_user.email)
        lookups.append(f"directory: login {itsm_user.email} -> {user.login if user else 'none'}")
        if user is None:
            user = directory.find_user(email=itsm_user.email)
            lookups.append(f"directory: e-mail {itsm_user.email} -> {user.login if user else 'none'}")
    except AmbiguousUserError:
        lookups.append(f"directory: e-mail {itsm_user.email} is shared by several accounts")
        return Requester(itsm_user, None, "requester_unverified", tuple(lookups))
    if user is None:
        return Requester(itsm_user, None, "requester_unverified", tuple(lookups))
    if user.status in _INACTIVE:
        return Requester(itsm_user, user, "requester_inactive", tuple(lookups))
    return Requester(itsm_user, user, None, tuple(lookups))


class Relation(StrEnum):
    SELF = "self"
    MANAGED = "managed"
    """The target's manager, per the directory, is the requester."""
    OTHER = "other"
    UNRESOLVED = "unresolved"
    """Someone else is meant, but no exact login or e-mail identifies them."""
    SEVERAL = "several"


@dataclass(frozen=True)
class Target:
    user: DirectoryUser | None
    relation: Relation


def resolve_target(requester: DirectoryUser, entities: Entities, signals: Signals) -> Target:
    own_name = requester.display_name.casefold()
    others = [
        p
        for p in entities.people
        if not (p.user is not None and p.user.id == requester.id)
        and not (p.user is None and p.written.casefold() == own_name)
    ]
    resolved = {p.user.id: p.user for p in others if p.user is not None}
    if len(resolved) > 1:
        return Target(None, Relation.SEVERAL)
    if any(p.user is None for p in others):
        return Target(None, Relation.UNRESOLVED)
    if resolved:
        user = next(iter(resolved.values()))
        return Target(user, Relation.MANAGED if user.manager_id == requester.id else Relation.OTHER)
    if signals.third_party:
        return Target(None, Relation.UNRESOLVED)
    return Target(requester, Relation.SELF)


def claims_other_identity(requester: DirectoryUser, entities: Entities, signals: Signals) -> bool:
    """The text claims authority or an identity the caller record does not have."""
    own = requester.display_name.casefold()
    return bool(signals.identity_claim) or any(name.casefold() != own for name in entities.claimed_names)
