"""The tools one agent gets: every catalogue operation its policy grants on the connections it is
wired to, checked against what the performers actually carry out."""

from __future__ import annotations

from collections.abc import Mapping

from agents.governed_tools.catalogue import SPECS, Clock, operations_for
from agents.governed_tools.core import GovernedOperation
from agents.intake.reply_performer import ReplyingCRMPerformer
from agents.performers import DirectoryPerformer, ERPPerformer, ITSMPerformer
from governance.policy import Policy

PERFORMERS = (ERPPerformer, ITSMPerformer, ReplyingCRMPerformer, DirectoryPerformer)


def performer_operations() -> dict[str, list[str]]:
    """Kind → the operations the performers carry out (their ``perform_<verb>`` methods)."""
    found: dict[str, list[str]] = {}
    for performer in PERFORMERS:
        verbs = sorted(
            name.removeprefix("perform_") for name in dir(performer) if name.startswith("perform_")
        )
        found[performer.kind] = [f"{performer.kind}.{verb}" for verb in verbs]
    return found


def check_catalogue() -> None:
    """Raise `LookupError` when a performer operation has no tool, or a tool no performer."""
    performed = {op for ops in performer_operations().values() for op in ops}
    missing, extra = sorted(performed - set(SPECS)), sorted(set(SPECS) - performed)
    if missing or extra:
        raise LookupError(
            f"tool catalogue out of step with the performers: missing {missing}, no performer {extra}"
        )


def agent_operations(
    policy: Policy, agent: str, connections: Mapping[str, str], *, clock: Clock | None = None
) -> list[GovernedOperation]:
    """The governed operations `agent` may request on `connections` (connection name → kind).

    Only what the policy grants the agent on each connection becomes a tool; a connection the
    agent has no grant on contributes none. Tool names must be unique, so two connections of
    one kind (``sap`` and ``netsuite``) cannot be wired into one conversation.
    """
    check_catalogue()
    spec = policy.agents.get(agent)
    if spec is None:
        raise LookupError(f"agent {agent!r} is not in the policy (known: {', '.join(sorted(policy.agents))})")
    operations: list[GovernedOperation] = []
    kinds: dict[str, str] = {}
    for system, kind in connections.items():
        granted = set(spec.systems.get(system, ()))
        if not granted:
            continue
        if kind in kinds:
            raise ValueError(f"connections {kinds[kind]!r} and {system!r} are both {kind}: wire one per kind")
        kinds[kind] = system
        operations.extend(operations_for(kind, system, only=granted, clock=clock))
    return operations
