"""Transactions: search by business key, one transaction's ledger story, and the full-chain check."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from agents.ap.extract.layout_memory import LEARNABLE
from governance import approvals
from governance.corrections import Corrections
from governance.errors import GovernanceError
from opspack.console.auth import ConsoleUser, require_role, services, verify_csrf
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
        return timeline(request, transaction_id, user, error=str(error), status_code=409)
    return RedirectResponse(f"/transactions/{transaction_id}", status_code=303)


@router.get("/transactions/{transaction_id:path}", response_class=HTMLResponse)
def timeline_page(
    request: Request, transaction_id: str, user: ConsoleUser = Depends(require_role(Role.VIEWER))
) -> Response:
    return timeline(request, transaction_id, user)


def timeline(
    request: Request, transaction_id: str, user: ConsoleUser, error: str = "", status_code: int = 200
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
    return render(
        request,
        "timeline.html.j2",
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
        correctable=any(r.kind == "perception" for r in records) and user.role.includes(Role.APPROVER),
        correction_error=error,
        learnable=LEARNABLE,
        status_code=status_code,
    )


@router.get("/audit/verify", response_class=HTMLResponse)
def audit_verify(request: Request, user: ConsoleUser = Depends(require_role(Role.VIEWER))) -> Response:
    report = services(request).ledger.verify()
    return render(request, "verify.html.j2", report=report)
