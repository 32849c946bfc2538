"""Transactions: search by business key, one transaction's ledger story, and the full-chain check."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from governance import approvals
from opspack.console.auth import ConsoleUser, require_role, services
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


@router.get("/transactions/{transaction_id:path}", response_class=HTMLResponse)
def timeline(
    request: Request, transaction_id: str, user: ConsoleUser = Depends(require_role(Role.VIEWER))
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
    )


@router.get("/audit/verify", response_class=HTMLResponse)
def audit_verify(request: Request, user: ConsoleUser = Depends(require_role(Role.VIEWER))) -> Response:
    report = services(request).ledger.verify()
    return render(request, "verify.html.j2", report=report)
