"""Directory operations: password reset, unlock, group membership.

A reset's one-time secret never enters the ledger: the performer hands it to a delivery channel
(the requester's verified e-mail, an SMS gateway) and records only that it was delivered. Without
a channel, and unless the directory e-mails the person itself, it refuses *before* resetting, so
no one is left with a reset nobody can use.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from agents.performers.base import OperationPerformer
from connectors.directory.models import ResetResult, UserStatus
from connectors.directory.protocol import DirectoryConnector
from governance.action import Action
from governance.errors import ExecutionError
from governance.executor import ExecutionResult

CredentialDelivery = Callable[[str, ResetResult], None]
"""Delivers a reset result to the person (user id, result); must not log the secret."""


class DirectoryPerformer(OperationPerformer):
    kind = "directory"
    connector: DirectoryConnector

    def __init__(self, connector: DirectoryConnector, delivery: CredentialDelivery | None = None) -> None:
        super().__init__(connector)
        self.delivery = delivery

    def perform_reset_password(self, action: Action) -> ExecutionResult:
        send_email = bool(action.params.get("send_email", False))
        if not send_email and self.delivery is None:
            raise ExecutionError(
                "directory.reset_password: no delivery channel for the one-time credential; "
                "refusing to reset (set send_email or configure a delivery channel)"
            )
        result = self.connector.reset_password(action.target, send_email=send_email)
        if result.secret is not None and self.delivery is not None:
            self.delivery(action.target, result)
        return self.result(
            action.target, delivery=result.delivery.value, issued_at=result.issued_at.isoformat()
        )

    def reconcile_reset_password(self, action: Action) -> ExecutionResult | None:
        not_before = datetime.fromisoformat(str(self.param(action, "not_before")))
        user = self.connector.get_user(action.target)
        changed = [t for t in (user.password_changed_at, user.recovery_since) if t is not None]
        if any(t >= not_before for t in changed):
            return self.result(user.id, reconciled=True)
        return None

    def perform_unlock(self, action: Action) -> ExecutionResult:
        user = self.connector.unlock(action.target)
        return self.result(user.id, status=user.status.value)

    def reconcile_unlock(self, action: Action) -> ExecutionResult | None:
        user = self.connector.get_user(action.target)
        return None if user.status is UserStatus.LOCKED else self.result(user.id, reconciled=True)

    def perform_add_group_member(self, action: Action) -> ExecutionResult:
        group = str(self.param(action, "group_id"))
        if "group_name" in action.params:
            self._check_group_name(action, group, str(action.params["group_name"]))
        self.connector.add_member(group, action.target)
        return self.result(f"{group}/{action.target}", group=group)

    def _check_group_name(self, action: Action, group_id: str, group_name: str) -> None:
        """Refuse a grant whose `group_name` is not the directory's name for `group_id`.

        The policy guards privileged groups by name; a mislabelled action (an ordinary name on a
        privileged group's id) would otherwise slip past that rule.
        """
        named = [g for g in self.connector.list_groups(group_name.strip()) if g.id == group_id]
        if not named or named[0].name.strip().casefold() != group_name.strip().casefold():
            raise ExecutionError(
                f"{action.operation}: group_name {group_name!r} is not the directory's name for group "
                f"{group_id!r}; refusing the grant"
            )

    def reconcile_add_group_member(self, action: Action) -> ExecutionResult | None:
        group = str(self.param(action, "group_id"))
        member = self.connector.is_member(action.target, group)
        return self.result(f"{group}/{action.target}", reconciled=True) if member else None

    def perform_remove_group_member(self, action: Action) -> ExecutionResult:
        group = str(self.param(action, "group_id"))
        self.connector.remove_member(group, action.target)
        return self.result(f"{group}/{action.target}", group=group)

    def reconcile_remove_group_member(self, action: Action) -> ExecutionResult | None:
        group = str(self.param(action, "group_id"))
        member = self.connector.is_member(action.target, group)
        return None if member else self.result(f"{group}/{action.target}", reconciled=True)
