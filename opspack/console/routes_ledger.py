"""Transactions: search by business key, one transaction's ledger story, and the full-chain check.

A transaction still waiting for a person (escalated, or decided in shadow) also offers the form
where an approver of its agent records what they did (`opspack/console/outcome_form.py`).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from agents.ap.extract.layout_memory import LEARNABLE
from governance import approvals
from governance.corrections import Corrections
from governance.errors import GovernanceError
from opspack.console import outcome_form
from opspack.console.auth import ConsoleUser, require_role, services, verify_csrf
from opspack.console.relabel import relabel_form
from opspack.console.timeline import check_records, search, summary
from opspack.console.users import Role
from opspack.console.views import pretty_json, render

router = APIRouter()


@router.get("/transactions", response_class=HTMLResponse)
def transactions(
    request: Request, q: str = "", user: ConsoleUser = Depends(require_role(Role.VIEWER))
) -> Response:
    hits = search(services(request).store, q) if q.strip() else []
    return render(request, "transactions.html.j2", query=q, hits=hits)


def _timeline_page(
    request: Request,
    user: ConsoleUser,
    transaction_id: str,
    *,
    error: str = "",
    values: dict[str, str] | None = None,
    correction_error: str = "",
    relabel_error: str = "",
    status_code: int = 200,
) -> Response:
    console = services(request)
    records = console.ledger.timeline(transaction_id)
    checks = check_records(console.store, records)
    with console.store.connect() as connection:
        ids = (
            connection.execute(
                select(approvals.approvals.c.id)
                .where(approvals.approvals.c.transaction_id == transaction_id)
                .order_by(approvals.approvals.c.created_at)
            )
            .scalars()
            .all()
        )
        held = [approvals.load(connection, approval_id).as_dict(console.now()) for approval_id in ids]
    form = outcome_form.open_case(console.ledger, transaction_id)
    return render(
        request,
        "timeline.html.j2",
        status_code=status_code,
        transaction_id=transaction_id,
        rows=[
            {
                "record": record,
                "summary": summary(record),
                "payload": pretty_json(record.payload),
                "check": checks[record.seq],
            }
            for record in records
        ],
        verified=all(check.ok for check in checks.values()),
        approvals=held,
        outcome=None
        if form is None
        else {
            "kind": form.case.kind,
            "agent": form.case.agent,
            "values": values or form.defaults(),
            "refused": outcome_form.may_record(console.policy, user.approver, form.case),
            "error": error,
        },
        correctable=any(r.kind == "perception" for r in records) and user.role.includes(Role.APPROVER),
        correction_error=correction_error,
        learnable=LEARNABLE,
        relabel=relabel_form(records, user),
        relabel_error=relabel_error,
    )


@router.post("/transactions/{transaction_id:path}/correct-field")
def correct_field_route(
    request: Request,
    transaction_id: str,
    field: Annotated[str, Form()],
    value: Annotated[str, Form()],
    reason: Annotated[str, Form()] = "",
    user: ConsoleUser = Depends(require_role(Role.APPROVER)),
    _: None = Depends(verify_csrf),
) -> Response:
    """A clerk's correction of one field an AP invoice was read with: recorded against the
    transaction's decision and learned as the vendor's layout for its next invoices."""
    from agents.ap.extract.layout_corrections import correct_field
    from agents.ap.extract.layout_memory import LayoutMemoryError

    console = services(request)
    decided = [r for r in console.ledger.records(transaction_id) if r.kind == "decision"]
    try:
        if not decided:
            raise LayoutMemoryError(f"transaction {transaction_id} has no decision to correct")
        correct_field(
            Corrections(console.ledger), decided[-1].id, field.strip(), value.strip(),
            actor=user.username, reason=reason.strip() or None,
        )  # fmt: skip
    except (LayoutMemoryError, GovernanceError) as error:
        return _timeline_page(request, user, transaction_id, correction_error=str(error), status_code=409)
    return RedirectResponse(f"/transactions/{transaction_id}", status_code=303)


@router.get("/transactions/{transaction_id:path}", response_class=HTMLResponse)
def timeline(
    request: Request, transaction_id: str, user: ConsoleUser = Depends(require_role(Role.VIEWER))
) -> Response:
    return _timeline_page(request, user, transaction_id)


@router.post("/transactions/{transaction_id:path}/outcome")
def record_outcome(
    request: Request,
    transaction_id: str,
    resolution: Annotated[str, Form()] = "",
    operation: Annotated[str, Form()] = "",
    target: Annotated[str, Form()] = "",
    amount: Annotated[str, Form()] = "",
    params: Annotated[str, Form()] = "",
    user: ConsoleUser = Depends(require_role(Role.APPROVER)),
    _: None = Depends(verify_csrf),
) -> Response:
    """Record what the person did on an escalated or shadowed case (a ``console`` human outcome)."""
    console = services(request)
    values = {
        "resolution": resolution,
        "operation": operation,
        "target": target,
        "amount": amount,
        "params": params,
    }
    form = outcome_form.open_case(console.ledger, transaction_id)
    if form is None:
        return _timeline_page(
            request,
            user,
            transaction_id,
            error="this transaction is not waiting for a person",
            status_code=409,
        )
    refused = outcome_form.may_record(console.policy, user.approver, form.case)
    if refused is not None or user.approver is None:
        return _timeline_page(request, user, transaction_id, error=refused or "not allowed", status_code=403)
    try:
        outcome_form.record(console.ledger, form, user.approver, values, console.now())
    except outcome_form.OutcomeFormError as exc:
        return _timeline_page(request, user, transaction_id, error=str(exc), values=values, status_code=400)
    return RedirectResponse(f"/transactions/{transaction_id}", status_code=303)


@router.get("/audit/verify", response_class=HTMLResponse)
def audit_verify(request: Request, user: ConsoleUser = Depends(require_role(Role.VIEWER))) -> Response:
    report = services(request).ledger.verify()
    return render(request, "verify.html.j2", report=report)
