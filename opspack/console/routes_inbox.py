"""The approval inbox: held actions with their case files; approve, reject, edit-and-approve.

Decisions go through `Governor.approve` / `Governor.reject`, which enforce maker != checker, the
approver's entitlement for the agent and segregation of duties, re-gate on the current state and
execute once. The console adds the role check (approver or admin) and the mapping from the user to
their policy approver id; it never decides who may approve by itself.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from governance import approvals
from governance.approvals import ApprovalRequest
from governance.errors import ApprovalError
from governance.kill_switches import engaged_switch
from opspack.console.auth import ConsoleUser, require_role, services, verify_csrf
from opspack.console.case_file import case_sections, decision_story
from opspack.console.edits import edit_and_resubmit, edited_action
from opspack.console.errors import Forbidden
from opspack.console.services import ConsoleServices
from opspack.console.users import Role
from opspack.console.views import pretty_json, render

router = APIRouter()
STATUS_FILTERS = ("pending", *[s for s in approvals.STATUSES if s != "pending"], "all")


def decider(user: ConsoleUser) -> str:
    """The policy approver id the user decides as; refused when the account has none."""
    if user.approver is None:
        raise Forbidden(
            "your account is not mapped to a policy approver (`approver:` in the users file); ask an admin"
        )
    return user.approver


def obstacles(console: ConsoleServices, request: ApprovalRequest, user: ConsoleUser) -> list[str]:
    """Why this user's decision would be refused, foreseeable before asking the Governor."""
    found = []
    if user.approver is None:
        found.append("your account cannot decide approvals (viewer, or no policy approver mapping)")
        return found
    policy = console.policy
    identity = policy.agents[request.agent].identity.id if request.agent in policy.agents else None
    if user.approver in {request.agent, request.requested_by, identity}:
        found.append("you requested this action: another approver must decide it (maker ≠ checker)")
    if not policy.may_approve(user.approver, request.agent):
        found.append(f"{user.approver!r} is not an approver for agent {request.agent!r} in the policy")
    agent = policy.agents.get(request.agent)
    for guard in agent.guarded_values if agent is not None else ():
        action = request.action
        if (
            guard.approvers
            and guard.matches(action.operation, action.params)
            and user.approver not in guard.approvers
        ):
            found.append(f"rule {guard.name!r} reserves this action for {', '.join(guard.approvers)}")
    with console.store.connect() as connection:
        switch = engaged_switch(connection, request.agent)
    if switch is not None:
        found.append(
            f"agent {request.agent!r} is switched off ({switch.reason}); nothing of it executes -- an "
            "approval given now stays pending and runs, judged again, when the switch is released"
        )
    return found


def _detail(
    request: Request, user: ConsoleUser, approval_id: str, *, error: str = "", status_code: int = 200
) -> Response:
    console = services(request)
    held = approvals.get_request(console.store, approval_id)
    now = console.now()
    records = console.ledger.records(held.transaction_id)
    status = held.effective_status(now)
    return render(
        request,
        "approval.html.j2",
        status_code=status_code,
        held=held,
        data=held.as_dict(now),
        status=status,
        action_json=pretty_json(held.action.canonical()),
        current_policy=console.policy.version,
        sections=case_sections(records),
        story=decision_story(records, held.id, held.action.business_key),
        obstacles=obstacles(console, held, user) if status == "pending" else [],
        executes_here=console.can_execute(held.agent, held.action.system),
        error=error,
    )


@router.get("/inbox", response_class=HTMLResponse)
def inbox(
    request: Request, status: str = "pending", user: ConsoleUser = Depends(require_role(Role.VIEWER))
) -> Response:
    console = services(request)
    if status not in STATUS_FILTERS:
        status = "pending"
    now = console.now()
    found = approvals.list_requests(console.store, status=None if status == "all" else status, now=now)
    return render(
        request,
        "inbox.html.j2",
        rows=[held.as_dict(now) for held in found],
        status=status,
        filters=STATUS_FILTERS,
    )


@router.get("/approvals/{approval_id}", response_class=HTMLResponse)
def approval_detail(
    request: Request, approval_id: str, user: ConsoleUser = Depends(require_role(Role.VIEWER))
) -> Response:
    return _detail(request, user, approval_id)


def _decide(request: Request, user: ConsoleUser, approval_id: str, verb: str, reason: str) -> Response:
    console = services(request)
    approver = decider(user)
    held = approvals.get_request(console.store, approval_id)
    # While the agent is switched off the Governor keeps the decision on the pending request (and
    # says so in the error); it runs, judged again, when the switch is released.
    governor = console.governor(held.agent)
    try:
        if verb == "approve":
            governor.approve(approval_id, approver, reason)
        else:
            governor.reject(approval_id, approver, reason)
    except ApprovalError as exc:
        return _detail(request, user, approval_id, error=str(exc), status_code=409)
    return RedirectResponse(f"/approvals/{approval_id}", status_code=303)


@router.post("/approvals/{approval_id}/approve")
def approve(
    request: Request,
    approval_id: str,
    reason: Annotated[str, Form()] = "",
    user: ConsoleUser = Depends(require_role(Role.APPROVER)),
    _: None = Depends(verify_csrf),
) -> Response:
    return _decide(request, user, approval_id, "approve", reason)


@router.post("/approvals/{approval_id}/reject")
def reject(
    request: Request,
    approval_id: str,
    reason: Annotated[str, Form()] = "",
    user: ConsoleUser = Depends(require_role(Role.APPROVER)),
    _: None = Depends(verify_csrf),
) -> Response:
    return _decide(request, user, approval_id, "reject", reason)


def _edit_page(
    request: Request, held: ApprovalRequest, form: dict[str, Any], *, error: str = "", status_code: int = 200
) -> Response:
    return render(request, "edit.html.j2", held=held, form=form, error=error, status_code=status_code)


@router.get("/approvals/{approval_id}/edit", response_class=HTMLResponse)
def edit_form(
    request: Request, approval_id: str, user: ConsoleUser = Depends(require_role(Role.APPROVER))
) -> Response:
    held = approvals.get_request(services(request).store, approval_id)
    action = held.action
    form = {
        "target": action.target,
        "amount": "" if action.amount is None else str(action.amount),
        "params": json.dumps(action.params, indent=2, sort_keys=True, ensure_ascii=False),
        "reason": "",
    }
    return _edit_page(request, held, form)


@router.post("/approvals/{approval_id}/edit")
def edit(
    request: Request,
    approval_id: str,
    target: Annotated[str, Form()] = "",
    amount: Annotated[str, Form()] = "",
    params: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
    user: ConsoleUser = Depends(require_role(Role.APPROVER)),
    _: None = Depends(verify_csrf),
) -> Response:
    console = services(request)
    editor = decider(user)
    held = approvals.get_request(console.store, approval_id)
    form = {"target": target, "amount": amount, "params": params, "reason": reason}
    try:
        action = edited_action(held.action, target=target, amount=amount, params=params, editor=editor)
        outcome = edit_and_resubmit(console, approval_id, editor, reason, action)
    except ApprovalError as exc:
        return _edit_page(request, held, form, error=str(exc), status_code=409)
    destination = outcome.approval_id or approval_id
    return RedirectResponse(f"/approvals/{destination}", status_code=303)
