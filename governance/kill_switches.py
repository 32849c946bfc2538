"""Runtime kill switches: stop one agent now, without editing the policy.

The policy's own ``kill_switch`` flags (global and per agent) are part of its content, so flipping
one changes the policy version and voids every pending approval. An operator who needs an agent to
stop *now* -- a suspected fraud wave, a misbehaving connector -- flips a runtime switch instead: a
row in the project store that `Governor` consults on every judgement, so a switched-off agent's
actions are denied with reason ``kill_switch`` (submits, and approvals that would execute). An
approval given meanwhile is not voided: the request stays pending with the decision kept, and
`Governor.run_deferred_approvals` (or the agent's next submit) judges it again once the switch is
released. Each
flip is one ledger record naming who flipped it and why, written in the same database transaction
as the row, so the switch's state and its story cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, update

from governance import fast_sql
from governance.action import Action
from governance.clock import iso
from governance.errors import GovernanceError
from governance.gate import Decision, Reason, ReasonDetail, Verdict
from governance.ledger import Ledger, serialise_writers
from governance.policy import Policy
from governance.schema import agent_kill_switches
from governance.store import Store

KILL_SWITCH_EVENT = "kill_switch_changed"
"""The `note` event every flip records."""


class KillSwitchError(GovernanceError):
    """A flip was asked for wrongly: unknown agent, no reason, no actor."""


@dataclass(frozen=True)
class KillSwitchState:
    agent: str
    engaged: bool
    changed_by: str
    changed_at: str
    reason: str


def transaction_id_for(agent: str) -> str:
    """The ledger transaction that holds one agent's switch history."""
    return f"kill-switch-{agent}"


def _state(row: Any) -> KillSwitchState:
    return KillSwitchState(row.agent, bool(row.engaged), row.changed_by, row.changed_at, row.reason)


_ENGAGED = select(agent_kill_switches).where(
    agent_kill_switches.c.agent == bindparam("agent"), agent_kill_switches.c.engaged.is_(True)
)
_ENGAGED_FLAG = select(agent_kill_switches.c.agent).where(
    agent_kill_switches.c.agent == bindparam("agent"), agent_kill_switches.c.engaged.is_(True)
)
"""Built once: every governed action asks it (`governance.fast_sql`)."""


def engaged_switch(connection: Connection, agent: str) -> KillSwitchState | None:
    """The agent's switch when it is engaged, else None."""
    if fast_sql.first(connection, _ENGAGED_FLAG, {"agent": agent}) is None:
        return None  # the common case, read on the driver's cursor
    row = connection.execute(_ENGAGED, {"agent": agent}).first()
    return None if row is None else _state(row)


def switch_states(store: Store) -> dict[str, KillSwitchState]:
    """Every agent whose switch was ever flipped, by agent name."""
    with store.connect() as connection:
        return {row.agent: _state(row) for row in connection.execute(select(agent_kill_switches))}


def apply_kill_switch(connection: Connection, action: Action, verdict: Verdict) -> Verdict:
    """`verdict`, or a denial with reason ``kill_switch`` when the action's agent is switched off.

    The policy's global switch keeps its own reason: it is checked first by the gate as well.
    """
    if Reason.GLOBAL_KILL_SWITCH.value in verdict.codes:
        return verdict
    state = engaged_switch(connection, action.agent)
    if state is None:
        return verdict
    reason = ReasonDetail(
        Reason.KILL_SWITCH,
        f"agent {action.agent!r} was switched off by {state.changed_by} at {state.changed_at}: {state.reason}",
        {"source": "runtime", "changed_by": state.changed_by, "changed_at": state.changed_at},
    )
    return Verdict(Decision.DENY, (reason,), verdict.policy_version, verdict.action_digest, verdict.tier)


def set_kill_switch(
    store: Store,
    ledger: Ledger,
    policy: Policy,
    *,
    agent: str,
    engaged: bool,
    actor: str,
    reason: str,
    now: datetime,
) -> KillSwitchState:
    """Engage or release `agent`'s switch and record who did it and why; returns the new state."""
    if agent not in policy.agents:
        raise KillSwitchError(f"unknown agent {agent!r}; the policy declares {sorted(policy.agents)}")
    if not reason.strip():
        raise KillSwitchError("flipping a kill switch needs a reason")
    if not actor.strip():
        raise KillSwitchError("flipping a kill switch needs the name of whoever flips it")
    state = KillSwitchState(agent, engaged, actor, iso(now), reason.strip())
    values = {"engaged": engaged, "changed_by": actor, "changed_at": state.changed_at, "reason": state.reason}
    with store.begin() as connection:
        serialise_writers(connection, f"kill_switch:{agent}")
        found = connection.execute(
            select(agent_kill_switches.c.engaged).where(agent_kill_switches.c.agent == agent)
        ).first()
        previous = bool(found.engaged) if found is not None else False
        if found is None:
            connection.execute(insert(agent_kill_switches).values(agent=agent, **values))
        else:
            connection.execute(
                update(agent_kill_switches).where(agent_kill_switches.c.agent == agent).values(**values)
            )
        ledger.append(
            transaction_id_for(agent),
            "note",
            {
                "event": KILL_SWITCH_EVENT,
                "agent": agent,
                "engaged": engaged,
                "previously_engaged": previous,
                "reason": state.reason,
                "policy_version": policy.version,
            },
            agent=agent,
            actor=actor,
            connection=connection,
        )
    return state
