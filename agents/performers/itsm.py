"""ITSM operations: comments, work notes, assignment, resolution, catalog requests."""

from __future__ import annotations

from agents.performers.base import OperationPerformer
from connectors.itsm.models import NewCatalogRequest, Resolution, TicketState
from connectors.itsm.protocol import ITSMConnector
from governance.action import Action
from governance.executor import ExecutionResult

_DONE = {TicketState.RESOLVED, TicketState.CLOSED}


class ITSMPerformer(OperationPerformer):
    kind = "itsm"
    connector: ITSMConnector

    def _has_comment(self, action: Action, internal: bool) -> ExecutionResult | None:
        body = str(self.param(action, "body"))
        ticket = self.connector.get_ticket(action.target)
        for comment in ticket.comments:
            if comment.internal is internal and comment.body.strip() == body.strip():
                return self.result(comment.id, ticket=ticket.number, reconciled=True)
        return None

    def perform_comment(self, action: Action) -> ExecutionResult:
        comment = self.connector.add_comment(action.target, str(self.param(action, "body")))
        return self.result(comment.id, ticket=action.target)

    def reconcile_comment(self, action: Action) -> ExecutionResult | None:
        return self._has_comment(action, internal=False)

    def perform_work_note(self, action: Action) -> ExecutionResult:
        note = self.connector.add_work_note(action.target, str(self.param(action, "body")))
        return self.result(note.id, ticket=action.target)

    def reconcile_work_note(self, action: Action) -> ExecutionResult | None:
        return self._has_comment(action, internal=True)

    def perform_assign(self, action: Action) -> ExecutionResult:
        ticket = self.connector.assign_to_group(action.target, str(self.param(action, "group")))
        return self.result(ticket.number, group=ticket.assignment_group)

    def reconcile_assign(self, action: Action) -> ExecutionResult | None:
        ticket = self.connector.get_ticket(action.target)
        done = ticket.assignment_group == str(self.param(action, "group"))
        return self.result(ticket.number, reconciled=True) if done else None

    def perform_resolve(self, action: Action) -> ExecutionResult:
        resolution = self.parse(Resolution, self.param(action, "resolution"), action)
        ticket = self.connector.resolve_ticket(action.target, resolution)
        return self.result(ticket.number, state=ticket.state.value)

    def reconcile_resolve(self, action: Action) -> ExecutionResult | None:
        ticket = self.connector.get_ticket(action.target)
        return self.result(ticket.number, reconciled=True) if ticket.state in _DONE else None

    def perform_create_catalog_request(self, action: Action) -> ExecutionResult:
        data = {**dict(self.param(action, "request")), "business_key": action.business_key}
        request = self.connector.create_catalog_request(self.parse(NewCatalogRequest, data, action))
        return self.result(request.number, item=request.item)

    def reconcile_create_catalog_request(self, action: Action) -> ExecutionResult | None:
        found = self.connector.find_catalog_request(action.business_key)
        return None if found is None else self.result(found.number, reconciled=True)
