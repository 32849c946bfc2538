"""Dashboards: the measurement metrics and the autonomy ladder as charts, and the kill switches.

The numbers and charts are those of ``opspack report`` (governance/report.py): the same `gather`
over the ledger and the same inline-SVG charts, so the console, the report and ``metrics --json``
cannot disagree. Admins flip each agent's runtime kill switch here; every flip is a ledger record.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from governance.autonomy import load_measurement_config
from governance.kill_switches import KillSwitchError, set_kill_switch, switch_states
from governance.metrics import DISPOSITIONS
from governance.report import display, gather, report_charts  # the report's own charts, reused
from opspack.console.auth import ConsoleUser, require_role, services, verify_csrf
from opspack.console.users import Role
from opspack.console.views import render

router = APIRouter()


def _dashboard(request: Request, *, error: str = "", status_code: int = 200) -> Response:
    console = services(request)
    config = load_measurement_config(console.settings.measurement_config)
    data = gather(console.ledger, console.settings.policy_file, config, now=console.now())
    policy = console.policy
    states = switch_states(console.store)
    switches = [
        {
            "agent": name,
            "owner": agent.identity.owner,
            "policy_switch": agent.kill_switch or policy.settings.kill_switch,
            "state": states.get(name),
        }
        for name, agent in sorted(policy.agents.items())
    ]
    return render(
        request,
        "dashboard.html.j2",
        status_code=status_code,
        data=data,
        metrics=data.metrics,
        charts=report_charts(data),
        dispositions=DISPOSITIONS,
        display=display,
        rungs=[r for r in data.rungs if r.evidence.volume or r.recommendation != "hold"],
        switches=switches,
        global_switch=policy.settings.kill_switch,
        error=error,
    )


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard(request: Request, user: ConsoleUser = Depends(require_role(Role.VIEWER))) -> Response:
    return _dashboard(request)


@router.post("/agents/{agent}/kill-switch")
def flip_kill_switch(
    request: Request,
    agent: str,
    state: Annotated[Literal["engage", "release"], Form()],
    reason: Annotated[str, Form()] = "",
    user: ConsoleUser = Depends(require_role(Role.ADMIN)),
    _: None = Depends(verify_csrf),
) -> Response:
    console = services(request)
    try:
        set_kill_switch(
            console.store,
            console.ledger,
            console.policy,
            agent=agent,
            engaged=state == "engage",
            actor=user.username,
            reason=reason,
            now=console.now(),
        )
    except KillSwitchError as exc:
        return _dashboard(request, error=str(exc), status_code=409)
    if state == "release":  # approvals given while it was off run now, judged again
        console.governor(agent).run_deferred_approvals(agent)
    return RedirectResponse("/dashboard#kill-switches", status_code=303)
