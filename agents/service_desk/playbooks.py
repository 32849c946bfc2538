"""From facts to a plan: the safety checks first, then one playbook per category.

Order matters and is fixed: a re-opened ticket, instructions hidden in the text, a claimed
identity, a request for a credential through the ticket, and an unverified requester stop the
agent before any playbook runs. The playbooks then act only for the verified requester (or,
for resets and unlocks, someone the directory says they manage, when the configuration allows
it), only on accounts and groups the directory names exactly, and only within the self-service
list; everything else is escalated with the reason. Nothing in the ticket text can add an action.
Below the confidence threshold nothing is done either, but the leaning category's stop reason
(an identity claim, someone else's account...) is reported before ``low_confidence``.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from agents.service_desk.answers import answer_hr_question, answer_procurement
from agents.service_desk.config import SECURITY_QUEUE_KEY, Category, Delivery
from agents.service_desk.facts import Desk, TicketFacts
from agents.service_desk.identity import Relation, Target, claims_other_identity, resolve_target
from agents.service_desk.plan import Plan, PlannedAction
from connectors.directory.models import DirectoryUser, UserStatus
from connectors.itsm.models import CatalogItem, CatalogItemKind

RESETTABLE = frozenset(
    {UserStatus.ACTIVE, UserStatus.LOCKED, UserStatus.RECOVERY, UserStatus.PASSWORD_EXPIRED}
)
_IDENTITY_SENSITIVE = frozenset(
    {Category.PASSWORD_RESET, Category.ACCOUNT_UNLOCK, Category.ACCESS_REQUEST, Category.SOFTWARE_REQUEST}
)


_CREDENTIALS = (Category.PASSWORD_RESET, Category.ACCOUNT_UNLOCK)
_SAME_PLAYBOOK = {Category.PASSWORD_RESET: _CREDENTIALS, Category.ACCOUNT_UNLOCK: _CREDENTIALS}
"""Categories one playbook works together: "reset my password, the account is stuck" is one request."""


def decide(facts: TicketFacts, desk: Desk, now: datetime) -> Plan:
    security = desk.config.group_for(SECURITY_QUEUE_KEY)
    signals = facts.understanding.signals
    if facts.ticket.reopen_count > 0:
        return facts.escalate(desk, ("reopened",), "the earlier resolution did not hold: work it by hand")
    if signals.injection:
        return facts.escalate(
            desk, ("prompt_injection",), "treat as suspicious: verify the caller out of band", group=security
        )
    requester = facts.requester
    if not requester.verified:
        reason = requester.problem or "requester_unverified"
        return facts.escalate(
            desk,
            (reason,),
            "verify who the caller is before acting",
            group=desk.config.group_for(facts.category),
        )
    assert requester.user is not None
    sensitive = facts.category in _IDENTITY_SENSITIVE
    if sensitive and claims_other_identity(requester.user, facts.entities, signals):
        return facts.escalate(
            desk,
            ("identity_claim",),
            "verify the caller out of band; do not act on the claim",
            group=security,
        )
    if sensitive and signals.credential_channel:
        return facts.escalate(
            desk, ("credential_channel",), "credentials go only to the registered address", group=security
        )
    if facts.category is Category.UNCLASSIFIED:
        if facts.understanding.label == "out_of_scope":
            return facts.escalate(desk, ("out_of_scope",), "read the ticket and categorise it")
        return _unconfident(facts, desk, now)
    if facts.understanding.several_requests or (
        sensitive
        and not facts.understanding.all_about(*_SAME_PLAYBOOK.get(facts.category, (facts.category,)))
    ):
        return facts.escalate(desk, ("several_requests",), "split the ticket into one request each")
    if facts.category in (Category.PASSWORD_RESET, Category.ACCOUNT_UNLOCK):
        return _credential_playbook(facts, desk, requester.user, now)
    if facts.category is Category.ACCESS_REQUEST:
        return _access_playbook(facts, desk, requester.user)
    if facts.category is Category.SOFTWARE_REQUEST:
        return _software_playbook(facts, desk, requester.user)
    if facts.category is Category.HR_POLICY_QUESTION:
        return answer_hr_question(facts, desk)
    if facts.category is Category.PROCUREMENT_INQUIRY:
        return answer_procurement(facts, desk)
    return facts.escalate(desk, ("no_playbook",), f"{desk.config.group_for(facts.category)} works the ticket")


def _unconfident(facts: TicketFacts, desk: Desk, now: datetime) -> Plan:
    """Below the confidence threshold nothing is done, but the reason a person needs most comes
    first: the category the classifier leans to is checked as if it were sure, and when that
    stops the ticket (an identity claim, a credential asked through the ticket, someone else's
    account, no playbook...) its reason and team lead, with ``low_confidence`` after it. When the
    leaning category would act, the ticket goes to be categorised (``low_confidence`` alone)."""
    leaning = _leaning(facts)
    stop = None if leaning is None else decide(leaning, desk, now)
    if stop is None or stop.resolve or not stop.reasons:
        return facts.escalate(desk, ("low_confidence",), "read the ticket and categorise it")
    return facts.escalate(
        desk,
        (*stop.reasons, "low_confidence"),
        stop.next_step,
        group=stop.assignment_group,
        target=stop.target,
        leaning=leaning.category.value if leaning else None,
    )


def _leaning(facts: TicketFacts) -> TicketFacts | None:
    """The facts as if the classifier were sure of its best label (None: no such category)."""
    try:
        category = Category(facts.understanding.label)
    except ValueError:
        return None
    if category is Category.UNCLASSIFIED:
        return None
    return replace(facts, understanding=replace(facts.understanding, category=category))


def _target_problem(target: Target, *, managers_allowed: bool) -> str | None:
    if target.relation is Relation.SELF:
        return None
    if target.relation is Relation.MANAGED and managers_allowed:
        return None
    if target.relation is Relation.SEVERAL:
        return "several_targets"
    if target.relation is Relation.UNRESOLVED:
        return "target_unresolved"
    return "target_not_requester"


def _is_privileged_account(user: DirectoryUser, desk: Desk) -> bool:
    return any(desk.privileged(g.name) or g.privileged for g in desk.systems.directory.user_groups(user.id))


def _credential_playbook(facts: TicketFacts, desk: Desk, requester: DirectoryUser, now: datetime) -> Plan:
    reset = facts.category is Category.PASSWORD_RESET
    target = resolve_target(requester, facts.entities, facts.understanding.signals)
    problem = _target_problem(target, managers_allowed=desk.config.managers_may_reset)
    if problem is not None or target.user is None:
        return facts.escalate(
            desk,
            (problem or "target_unresolved",),
            "confirm with the account owner directly (call back on the HR-record number)",
        )
    user = target.user
    facts.looked_up.append(f"directory: {user.login} is {user.status.value}")
    if _is_privileged_account(user, desk):
        facts.looked_up.append(f"directory: {user.login} belongs to a privileged group")
        return facts.escalate(
            desk, ("privileged_account",), "privileged accounts go through the Tier-0 path", target=user.login
        )
    if reset:
        if user.status not in RESETTABLE:
            return facts.escalate(
                desk, ("account_not_resettable",), f"the account is {user.status.value}: check with HR/IT",
                target=user.login,
            )  # fmt: skip
        return _reset(facts, desk, user, target.relation, now)
    if user.status in (UserStatus.SUSPENDED, UserStatus.DEPROVISIONED, UserStatus.STAGED):
        return facts.escalate(
            desk,
            ("account_suspended",),
            "a suspended account is never unlocked by the desk",
            target=user.login,
        )
    if user.status is not UserStatus.LOCKED:
        return facts.escalate(
            desk, ("account_not_locked",), f"the account is {user.status.value}: find the real problem",
            target=user.login,
        )  # fmt: skip
    action = PlannedAction(
        business_key=facts.key("unlock"),
        operation="directory.unlock",
        target=user.id,
        params={"login": user.login},
        summary=f"unlock {user.login}",
    )
    whose = "your account" if target.relation is Relation.SELF else f"the account {user.login}"
    note = f"We unlocked {whose}. You can sign in again; if it locks again, reply to re-open this ticket."
    return facts.resolve(desk, note, actions=(action,), target=user.login, relation=target.relation.value)


def _reset(facts: TicketFacts, desk: Desk, user: DirectoryUser, relation: Relation, now: datetime) -> Plan:
    delivery = desk.config.delivery_for(desk.systems.directory_system)
    emailed_by_directory = delivery is Delivery.DIRECTORY_EMAIL
    action = PlannedAction(
        business_key=facts.key("reset"),
        operation="directory.reset_password",
        target=user.id,
        params={
            "login": user.login,
            "send_email": emailed_by_directory,
            "deliver_to": "directory e-mail" if emailed_by_directory else (user.email or user.login),
            "not_before": now.replace(microsecond=0).isoformat(),
        },
        summary=f"reset the password of {user.login} ({delivery.value})",
    )
    owner = "your" if relation is Relation.SELF else f"{user.login}'s"
    note = (
        f"We issued a password reset for {owner} account. The one-time reset was sent to the e-mail address "
        "registered for the account in the directory; it is not written in this ticket. You will be asked "
        "to choose a new password when you sign in."
    )
    return facts.resolve(
        desk, note, actions=(action,), target=user.login, relation=relation.value, delivery=delivery.value
    )


def _access_playbook(facts: TicketFacts, desk: Desk, requester: DirectoryUser) -> Plan:
    target = resolve_target(requester, facts.entities, facts.understanding.signals)
    problem = _target_problem(target, managers_allowed=False)
    if problem is not None:
        return facts.escalate(
            desk, (problem,), "access is requested by the person who needs it, or by their manager"
        )
    groups = list(facts.entities.groups)
    if not groups:
        items = [i for i in facts.entities.catalogue_items if i.kind is CatalogItemKind.ACCESS]
        if len(items) == 1:
            return _catalog(facts, desk, requester, items[0])
        return facts.escalate(desk, ("no_group_named",), "find out which group or access the caller needs")
    held = {g.id for g in desk.systems.directory.user_groups(requester.id)}
    facts.looked_up.append(f"directory: {requester.login} is in {len(held)} groups")
    wanted = [g for g in groups if g.id not in held]
    if not wanted:
        names = ", ".join(g.name for g in groups)
        return facts.resolve(
            desk, f"You are already a member of {names}; no change was needed.", target=requester.login
        )
    privileged = [g for g in wanted if desk.privileged(g.name) or g.privileged]
    ordinary = [g for g in wanted if g not in privileged]
    signals = facts.understanding.signals
    if privileged and (signals.pressure or signals.third_party or len(wanted) > 1):
        reason = (
            "several_groups"
            if len(wanted) > 1 and not (signals.pressure or signals.third_party)
            else "pressure_on_privileged"
        )
        return facts.escalate(
            desk,
            (reason,),
            "the group owner decides privileged access",
            group=desk.config.group_for(SECURITY_QUEUE_KEY),
        )
    not_listed = [g for g in ordinary if not desk.config.is_self_service(g.name)]
    if not_listed:
        return facts.escalate(
            desk, ("group_not_self_service",), f"the owner of {', '.join(g.name for g in not_listed)} decides",
            target=requester.login,
        )  # fmt: skip
    actions = tuple(
        PlannedAction(
            business_key=facts.key(f"grant:{g.id}"),
            operation="directory.add_group_member",
            target=requester.id,
            params={"group_id": g.id, "group_name": g.name, "login": requester.login},
            summary=f"add {requester.login} to {g.name}" + (" (owner's approval)" if g in privileged else ""),
        )
        for g in wanted
    )
    names = ", ".join(g.name for g in wanted)
    note = f"You have been added to {names}. It can take a few minutes before the access works everywhere."
    return facts.resolve(desk, note, actions=actions, target=requester.login, groups=[g.name for g in wanted])


def _software_playbook(facts: TicketFacts, desk: Desk, requester: DirectoryUser) -> Plan:
    target = resolve_target(requester, facts.entities, facts.understanding.signals)
    problem = _target_problem(target, managers_allowed=False)
    if problem is not None:
        return facts.escalate(desk, (problem,), "software is ordered for the person who files the ticket")
    items = [i for i in facts.entities.catalogue_items if i.kind is CatalogItemKind.SOFTWARE]
    if not items:
        return facts.escalate(
            desk, ("not_in_catalogue",), "check licensing and security review for this software"
        )
    if len(items) > 1:
        return facts.escalate(desk, ("several_items",), "confirm which software is needed")
    return _catalog(facts, desk, requester, items[0])


def _catalog(facts: TicketFacts, desk: Desk, requester: DirectoryUser, item: CatalogItem) -> Plan:
    caller = facts.requester.itsm_user
    assert caller is not None
    action = PlannedAction(
        business_key=facts.key("catalog"),
        operation="itsm.create_catalog_request",
        target=facts.ticket.number,
        params={
            "request": {
                "item": item.name,
                "requested_for": caller.user_name,
                "short_description": f"{item.name} for {caller.display_name}",
                "description": f"Ordered by the service desk agent from ticket {facts.ticket.number}.",
                "variables": {"ticket": facts.ticket.number},
            }
        },
        summary=f"order {item.name} for {caller.user_name} from the catalogue",
    )
    note = f"We ordered {item.name} for you from the service catalogue; fulfilment follows the catalogue's process."
    return facts.resolve(desk, note, actions=(action,), target=requester.login, item=item.name)
