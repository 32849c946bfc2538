"""CRM operations: cases, case comments, contact changes."""

from __future__ import annotations

from agents.performers.base import OperationPerformer
from connectors.crm.models import CaseUpdate, ContactUpdate, NewCase
from connectors.crm.protocol import CRMConnector
from governance.action import Action
from governance.executor import ExecutionResult


class CRMPerformer(OperationPerformer):
    kind = "crm"
    connector: CRMConnector

    def perform_create_case(self, action: Action) -> ExecutionResult:
        data = {**dict(self.param(action, "case")), "business_key": action.business_key}
        case = self.connector.create_case(self.parse(NewCase, data, action))
        return self.result(case.id, number=case.number)

    def reconcile_create_case(self, action: Action) -> ExecutionResult | None:
        case = self.connector.find_case_by_business_key(action.business_key)
        return None if case is None else self.result(case.id, number=case.number, reconciled=True)

    def perform_update_case(self, action: Action) -> ExecutionResult:
        case = self.connector.update_case(
            action.target, self.parse(CaseUpdate, self.param(action, "update"), action)
        )
        return self.result(case.id, status=case.status.value)

    def reconcile_update_case(self, action: Action) -> ExecutionResult | None:
        return None  # a partial update is an overwrite: sending it again is harmless

    def perform_comment(self, action: Action) -> ExecutionResult:
        public = bool(action.params.get("public", False))
        comment = self.connector.add_case_comment(
            action.target, str(self.param(action, "body")), public=public
        )
        return self.result(comment.id, case=action.target)

    def reconcile_comment(self, action: Action) -> ExecutionResult | None:
        body = str(self.param(action, "body")).strip()
        for comment in self.connector.list_case_comments(action.target):
            if comment.body.strip() == body:
                return self.result(comment.id, case=action.target, reconciled=True)
        return None

    def perform_update_contact(self, action: Action) -> ExecutionResult:
        update = self.parse(ContactUpdate, self.param(action, "update"), action)
        contact = self.connector.update_contact(action.target, update)
        return self.result(contact.id)

    def reconcile_update_contact(self, action: Action) -> ExecutionResult | None:
        return None  # an overwrite: sending it again is harmless
