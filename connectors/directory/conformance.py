"""The `DirectoryConnector` conformance suite: every fake, adapter + mock pair and plugin passes it.

Subclass `DirectoryConformance` in a test module and provide a function-scoped ``connector``
fixture (a fresh directory per test: the suite writes). The default ``scenario`` names people
and groups from the shared sample organisation (`connectors.directory.sample`); a directory
seeded differently overrides the ``scenario`` fixture.

    class TestOktaConformance(DirectoryConformance):
        @pytest.fixture
        def connector(self) -> DirectoryConnector:
            return OktaAdapter(...)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from connectors.directory.errors import AmbiguousUserError
from connectors.directory.models import DirectoryUser, ResetDelivery, UserStatus
from connectors.directory.protocol import DirectoryConnector
from connectors.directory.sample import person
from connectors.errors import BusinessError, NotFoundError, RejectedError


@dataclass(frozen=True)
class DirectoryScenario:
    """Who and what the suite looks up; defaults come from the shared sample organisation."""

    active_login: str = person("jsmith").login
    look_alike_login: str = person("jsmlth").login
    missing_login: str = "jsmiht@acme.example"
    manager_login: str = person("mmiller").login
    shared_email: str = person("ejohnson").email
    locked_login: str = person("lhernandez").login
    suspended_login: str = person("owright").login
    staged_login: str = person("fadams").login
    member_group: str = "VPN-Users"
    """A group ``active_login`` belongs to."""
    low_risk_group: str = "Figma-Licensed"
    """A group ``active_login`` does not belong to."""
    role_assignable_group: str = "Domain Admins"
    group_prefix: str = "Finance"
    unknown_id: str = "00u0000000000nobody"
    emails_resets: bool = True
    """Whether the directory can e-mail a reset itself (Graph cannot; it must refuse)."""


class DirectoryConformance:
    """Tests every `DirectoryConnector` rule; subclasses supply ``connector``."""

    @pytest.fixture
    def connector(self) -> DirectoryConnector:
        raise pytest.UsageError("subclass DirectoryConformance and provide a `connector` fixture")

    @pytest.fixture
    def scenario(self) -> DirectoryScenario:
        return DirectoryScenario()

    # -- helpers ---------------------------------------------------------------------------------

    @staticmethod
    def user(connector: DirectoryConnector, login: str) -> DirectoryUser:
        found = connector.find_user(login=login)
        assert found is not None, f"{login} should exist in the scenario"
        return found

    @staticmethod
    def group_id(connector: DirectoryConnector, name: str) -> str:
        matches = [g for g in connector.list_groups(name) if g.name == name]
        assert len(matches) == 1, f"exactly one group named {name!r} expected, got {matches}"
        return matches[0].id

    # -- shape -----------------------------------------------------------------------------------

    def test_implements_the_protocol(self, connector: DirectoryConnector) -> None:
        assert isinstance(connector, DirectoryConnector)
        assert connector.kind == "directory"

    # -- lookups ---------------------------------------------------------------------------------

    def test_find_by_login_is_exact_and_case_insensitive(
        self, connector: DirectoryConnector, scenario: DirectoryScenario
    ) -> None:
        found = self.user(connector, scenario.active_login)
        assert found.login.casefold() == scenario.active_login.casefold()
        again = connector.find_user(login=scenario.active_login.upper())
        assert again is not None and again.id == found.id

    def test_look_alike_logins_never_match(
        self, connector: DirectoryConnector, scenario: DirectoryScenario
    ) -> None:
        real = self.user(connector, scenario.active_login)
        look_alike = self.user(connector, scenario.look_alike_login)
        assert real.id != look_alike.id
        assert connector.find_user(login=scenario.missing_login) is None
        assert connector.find_user(login=scenario.active_login.split("@")[0]) is None
        assert connector.find_user(login=scenario.active_login[:-1]) is None

    def test_find_by_email_and_by_id(
        self, connector: DirectoryConnector, scenario: DirectoryScenario
    ) -> None:
        real = self.user(connector, scenario.active_login)
        assert real.email is not None
        by_email = connector.find_user(email=real.email)
        assert by_email is not None and by_email.id == real.id
        by_id = connector.find_user(user_id=real.id)
        assert by_id == real
        assert connector.find_user(user_id=scenario.unknown_id) is None

    def test_shared_email_is_ambiguous(
        self, connector: DirectoryConnector, scenario: DirectoryScenario
    ) -> None:
        with pytest.raises(AmbiguousUserError):
            connector.find_user(email=scenario.shared_email)

    def test_find_needs_exactly_one_key(
        self, connector: DirectoryConnector, scenario: DirectoryScenario
    ) -> None:
        with pytest.raises(RejectedError):
            connector.find_user()
        with pytest.raises(RejectedError):
            connector.find_user(login=scenario.active_login, email="x@acme.example")

    def test_query_syntax_in_a_value_is_only_ever_a_literal(
        self, connector: DirectoryConnector, scenario: DirectoryScenario
    ) -> None:
        for login in (
            f'{scenario.active_login}" or login sw "',
            f"{scenario.active_login}' or startswith(login,'",
            f"{scenario.active_login}\\",
        ):
            assert connector.find_user(login=login) is None
        assert connector.find_user(email="' or 1 eq 1 or email eq '") is None
        with pytest.raises(RejectedError):
            connector.find_user(login="  ")

    def test_get_user_reports_status_and_manager(
        self, connector: DirectoryConnector, scenario: DirectoryScenario
    ) -> None:
        real = self.user(connector, scenario.active_login)
        manager = self.user(connector, scenario.manager_login)
        fetched = connector.get_user(real.id)
        assert fetched.status is UserStatus.ACTIVE
        assert fetched.manager_id == manager.id
        assert fetched.display_name
        assert self.user(connector, scenario.locked_login).status is UserStatus.LOCKED
        assert self.user(connector, scenario.suspended_login).status is UserStatus.SUSPENDED

    def test_get_unknown_user_is_not_found(
        self, connector: DirectoryConnector, scenario: DirectoryScenario
    ) -> None:
        with pytest.raises(NotFoundError):
            connector.get_user(scenario.unknown_id)

    # -- password reset --------------------------------------------------------------------------

    def test_reset_password_returns_a_secret_that_never_prints(
        self, connector: DirectoryConnector, scenario: DirectoryScenario
    ) -> None:
        real = self.user(connector, scenario.active_login)
        before = datetime.now(UTC)
        assert not real.reset_since(before)
        result = connector.reset_password(real.id)
        assert result.user_id == real.id
        assert result.delivery in (ResetDelivery.RESET_LINK, ResetDelivery.TEMPORARY_PASSWORD)
        assert result.secret is not None
        value = result.secret.get_secret_value()
        assert len(value) >= 8
        assert (
            value not in repr(result) and value not in str(result) and value not in result.model_dump_json()
        )
        assert connector.get_user(real.id).reset_since(before)

    def test_reset_password_by_email(
        self, connector: DirectoryConnector, scenario: DirectoryScenario
    ) -> None:
        real = self.user(connector, scenario.active_login)
        if not scenario.emails_resets:
            with pytest.raises(RejectedError):
                connector.reset_password(real.id, send_email=True)
            return
        result = connector.reset_password(real.id, send_email=True)
        assert result.delivery is ResetDelivery.EMAILED
        assert result.secret is None

    def test_reset_refused_for_suspended_and_staged_accounts(
        self, connector: DirectoryConnector, scenario: DirectoryScenario
    ) -> None:
        for login in (scenario.suspended_login, scenario.staged_login):
            user = self.user(connector, login)
            with pytest.raises(BusinessError):
                connector.reset_password(user.id)
            assert connector.get_user(user.id).last_reset_at == user.last_reset_at

    def test_reset_unknown_user_is_not_found(
        self, connector: DirectoryConnector, scenario: DirectoryScenario
    ) -> None:
        with pytest.raises(NotFoundError):
            connector.reset_password(scenario.unknown_id)

    # -- unlock ----------------------------------------------------------------------------------

    def test_unlock_a_locked_user(self, connector: DirectoryConnector, scenario: DirectoryScenario) -> None:
        locked = self.user(connector, scenario.locked_login)
        unlocked = connector.unlock(locked.id)
        assert unlocked.id == locked.id
        assert unlocked.status is UserStatus.ACTIVE
        assert connector.get_user(locked.id).status is UserStatus.ACTIVE

    def test_unlock_refuses_accounts_that_are_not_locked(
        self, connector: DirectoryConnector, scenario: DirectoryScenario
    ) -> None:
        for login in (scenario.active_login, scenario.suspended_login):
            user = self.user(connector, login)
            with pytest.raises(RejectedError):
                connector.unlock(user.id)
            assert connector.get_user(user.id).status is user.status
        with pytest.raises(NotFoundError):
            connector.unlock(scenario.unknown_id)

    # -- groups ----------------------------------------------------------------------------------

    def test_list_groups_and_prefix_query(
        self, connector: DirectoryConnector, scenario: DirectoryScenario
    ) -> None:
        groups = connector.list_groups()
        names = {g.name for g in groups}
        assert {scenario.member_group, scenario.low_risk_group, scenario.role_assignable_group} <= names
        assert len(names) == len(groups)
        assert all(g.privileged is not False for g in groups)
        filtered = connector.list_groups(scenario.group_prefix)
        assert filtered and all(
            g.name.casefold().startswith(scenario.group_prefix.casefold()) for g in filtered
        )
        assert connector.list_groups("no-such-group-prefix") == []

    def test_user_groups(self, connector: DirectoryConnector, scenario: DirectoryScenario) -> None:
        real = self.user(connector, scenario.active_login)
        names = {g.name for g in connector.user_groups(real.id)}
        assert scenario.member_group in names
        assert scenario.low_risk_group not in names
        with pytest.raises(NotFoundError):
            connector.user_groups(scenario.unknown_id)

    def test_membership_add_and_remove_are_idempotent(
        self, connector: DirectoryConnector, scenario: DirectoryScenario
    ) -> None:
        real = self.user(connector, scenario.active_login)
        gid = self.group_id(connector, scenario.low_risk_group)
        assert connector.is_member(real.id, gid) is False
        connector.add_member(gid, real.id)
        connector.add_member(gid, real.id)
        assert connector.is_member(real.id, gid) is True
        assert scenario.low_risk_group in {g.name for g in connector.user_groups(real.id)}
        connector.remove_member(gid, real.id)
        connector.remove_member(gid, real.id)
        assert connector.is_member(real.id, gid) is False

    def test_membership_with_unknown_group_or_user_is_not_found(
        self, connector: DirectoryConnector, scenario: DirectoryScenario
    ) -> None:
        real = self.user(connector, scenario.active_login)
        gid = self.group_id(connector, scenario.low_risk_group)
        with pytest.raises(NotFoundError):
            connector.add_member("00g0000000000nothing", real.id)
        with pytest.raises(NotFoundError):
            connector.add_member(gid, scenario.unknown_id)
        with pytest.raises(NotFoundError):
            connector.remove_member("00g0000000000nothing", real.id)
        with pytest.raises(NotFoundError):
            connector.is_member(real.id, "00g0000000000nothing")
        assert connector.is_member(real.id, gid) is False
