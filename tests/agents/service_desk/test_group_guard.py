"""Group grants are guarded by the group's real name: a mislabelled grant cannot slip past the policy."""

from __future__ import annotations

from pathlib import Path

import pytest

from agents.performers import DirectoryPerformer
from connectors.directory.fake import FakeDirectory
from governance.action import Action
from governance.errors import ExecutionError
from governance.policy import load_policy
from governance.runtime import Governor
from governance.store import Store

POLICY = Path(__file__).resolve().parents[3] / "fixtures" / "policy.yaml"


def _grant(directory: FakeDirectory, group: str, name: str | None, key: str) -> Action:
    user = directory.find_user(login="qyoung@acme.example")
    assert user is not None
    group_id = next(g.id for g in directory.list_groups(group))
    params = {"group_id": group_id} | ({"group_name": name} if name is not None else {})
    return Action(
        agent="service_desk",
        system="okta",
        operation="directory.add_group_member",
        target=user.id,
        params=params,
        business_key=key,
    )


def test_the_performer_refuses_a_group_name_that_is_not_the_directorys() -> None:
    directory = FakeDirectory.sample()
    performer = DirectoryPerformer(directory)
    with pytest.raises(ExecutionError, match="not the directory's name"):
        performer.perform(_grant(directory, "Domain Admins", "VPN-Users", "k1"))
    performer.perform(_grant(directory, "Zoom-Licensed", "zoom-licensed", "k2"))
    assert len(directory.membership_log) == 1


def test_through_the_governor_a_mislabelled_grant_fails_and_a_privileged_one_is_held(tmp_path: Path) -> None:
    directory = FakeDirectory.sample()
    store = Store(f"sqlite:///{tmp_path / 'guard.db'}")
    governor = Governor(load_policy(POLICY), store, {"okta": DirectoryPerformer(directory)})
    mislabelled = governor.submit(_grant(directory, "Domain Admins", "VPN-Users", "k1"), transaction_id="t1")
    assert mislabelled.status == "failed"
    honest = governor.submit(_grant(directory, "Domain Admins", "Domain Admins", "k2"), transaction_id="t2")
    assert honest.status == "held" and [r.code.value for r in honest.reasons] == ["guarded_value"]
    unnamed = governor.submit(_grant(directory, "Prod-DB-Admins", None, "k3"), transaction_id="t3")
    assert unnamed.status == "held"
    ordinary = governor.submit(_grant(directory, "Jira-Users", "Jira-Users", "k4"), transaction_id="t4")
    assert ordinary.status == "executed"
    assert len(directory.membership_log) == 1
    store.dispose()
