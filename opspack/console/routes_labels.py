"""The console's label correction: "this text was about X", recorded on the ledger and learned.

An approver names the right label of a transaction the agent classified; the correction goes to
the ledger against the agent's decision and becomes a training example in the console's model
registry (`ConsoleSettings.models_root`), which ``opspack models retrain AGENT`` trains on.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from agents.perception.errors import PerceptionError
from agents.perception.label_corrections import correct_label
from governance.errors import GovernanceError
from opspack.console.auth import ConsoleUser, require_role, services, verify_csrf
from opspack.console.routes_ledger import _timeline_page
from opspack.console.users import Role

router = APIRouter()


@router.post("/transactions/{transaction_id:path}/relabel")
def relabel_route(
    request: Request,
    transaction_id: str,
    label: Annotated[str, Form()],
    user: ConsoleUser = Depends(require_role(Role.APPROVER)),
    _: None = Depends(verify_csrf),
) -> Response:
    """Record the right label of the transaction's text (ledger correction + training example)."""
    console = services(request)
    try:
        correct_label(
            console.ledger,
            console.settings.models_root,
            transaction_id,
            label,
            actor=user.username,
            source="console",
        )
    except (PerceptionError, GovernanceError) as error:
        return _timeline_page(request, user, transaction_id, relabel_error=str(error), status_code=409)
    return RedirectResponse(f"/transactions/{transaction_id}", status_code=303)
