"""Connector operations as LangChain tools, governed exactly like the ready-made agents.

- `arguments`: the argument models the model fills (parameter names as performers and policy use);
- `catalogue`: a tool definition for every operation the performers carry out (ERP, ITSM, CRM,
  directory), `operations_for(kind, system, only=...)`;
- `core`: `GovernanceMiddleware` for `langchain.agents.create_agent` (fail-closed tool bodies,
  the middleware submits), `build_governed_agent`;
- `bound`: tools that govern in their own bodies, for a hand-built LangGraph `ToolNode` or any
  tool executor (`bound_tools`, `governed_tool_node`);
- `wiring`: the operations the policy grants one agent on the connections it is wired to
  (`agent_operations`), checked against the performers (`check_catalogue`).
"""

from agents.governed_tools.arguments import GroupMembershipArgs, ResetPasswordArgs, UserTicketArgs
from agents.governed_tools.bound import GovernedTool, bound_tools, governance_of, governed_tool_node
from agents.governed_tools.catalogue import SPECS, directory_operations, operations_for
from agents.governed_tools.core import (
    SERVICE_DESK_PROMPT,
    ActionShape,
    ActionSubmitter,
    GovernanceMiddleware,
    GovernedOperation,
    SubmitOutcome,
    build_governed_agent,
    governed_tools,
    outcome_message,
)

_TicketArgs = UserTicketArgs  # the old name

__all__ = [
    "SERVICE_DESK_PROMPT",
    "SPECS",
    "ActionShape",
    "ActionSubmitter",
    "GovernanceMiddleware",
    "GovernedOperation",
    "GovernedTool",
    "GroupMembershipArgs",
    "ResetPasswordArgs",
    "SubmitOutcome",
    "UserTicketArgs",
    "bound_tools",
    "build_governed_agent",
    "directory_operations",
    "governance_of",
    "governed_tool_node",
    "governed_tools",
    "operations_for",
    "outcome_message",
]
