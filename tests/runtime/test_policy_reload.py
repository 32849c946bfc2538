"""A running `opspack run` picks up a changed policy (a demotion, an edit) without a restart.

The AP agent posts a clean invoice; the operation is then demoted to shadow the way
``opspack autonomy demote`` writes it (`write_policy_change`); the next invoice, handled by the
same runner, is decided in shadow under the new policy version. A policy file that stops loading
leaves the last good version in force.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import yaml

from agents.ap.synthetic_inbox import write_inbox
from governance.autonomy import write_policy_change
from governance.ledger import Ledger
from governance.policy import Tier, load_policy
from governance.store import Store
from opspack.deployment import load_deployment
from opspack.policy_watch import PolicyWatch
from opspack.runtime.build import build_runner
from opspack.settings import DEFAULT_CONNECTIONS_PATH, DEFAULT_POLICY_PATH
from opspack.wiring import Wiring, mock_erp


def _deployment(tmp_path: Path) -> Path:
    shutil.copy(DEFAULT_POLICY_PATH, tmp_path / "policy.yaml")
    shutil.copy(DEFAULT_CONNECTIONS_PATH, tmp_path / "connections.yaml")
    (tmp_path / "inbox").mkdir()
    path = tmp_path / "opspack.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "database": f"sqlite:///{tmp_path / 'opspack.db'}",
                "policy": "policy.yaml",
                "connections": "connections.yaml",
                "runtime": {"poll_seconds": 0.1, "approvals_seconds": 0.1},
                "sources": {"invoices": {"kind": "folder", "path": "inbox", "patterns": ["*.json"]}},
                "agents": {"ap": {"type": "ap", "connections": {"erp": "sap"}, "sources": ["invoices"]}},
            }
        ),
        encoding="utf-8",
    )
    return path


def _drop(file: Path, inbox: Path) -> None:
    """Put an invoice in the watched folder as a settled file (the folder source skips files still being written)."""
    target = inbox / file.name
    shutil.copy(file, target)
    settled = time.time() - 60
    os.utime(target, (settled, settled))


def _post_verdicts(ledger: Ledger) -> list[tuple[str, str]]:
    return [
        (str(r.payload["decision"]), str(r.payload["policy_version"]))
        for r in ledger.records(kind="verdict")
        if r.payload.get("action", {}).get("operation") == "erp.post_invoice"
    ]


def test_a_demotion_reaches_the_running_agent_without_a_restart(tmp_path: Path) -> None:
    deployment = load_deployment(_deployment(tmp_path))
    runner, wiring = build_runner(deployment)
    before = wiring.policy.version
    staging = tmp_path / "staging"
    items = write_inbox(mock_erp("sap"), staging, 2, seed=11, defect_rate=0.0)
    assert [item.expected for item in items] == ["post", "post"]
    first, second = (staging / item.file for item in items)

    _drop(first, tmp_path / "inbox")
    assert runner.tick() == 1
    ledger = Ledger(Store(f"sqlite:///{tmp_path / 'opspack.db'}"))
    assert [d for d, _ in _post_verdicts(ledger)] == ["execute"]

    change = write_policy_change(tmp_path / "policy.yaml", agent="ap_clerk", operation="erp.post_invoice", tier=Tier.SHADOW)  # fmt: skip
    _drop(second, tmp_path / "inbox")
    assert runner.tick() == 1  # the same runner: no restart
    assert wiring.policy.version == change.new_policy_version != before
    assert _post_verdicts(ledger) == [("execute", before), ("shadow", change.new_policy_version)]


def test_a_policy_file_that_stops_loading_keeps_the_last_good_version(tmp_path: Path) -> None:
    policy_file = tmp_path / "policy.yaml"
    shutil.copy(DEFAULT_POLICY_PATH, policy_file)
    wiring = Wiring.load(connections=DEFAULT_CONNECTIONS_PATH, policy=policy_file, store=Store("sqlite://"))
    governor = wiring.governor({})
    good = wiring.policy.version
    assert wiring.refresh_policy() is False  # nothing changed
    policy_file.write_text("agents: [this is not: a policy\n", encoding="utf-8")
    assert wiring.refresh_policy() is False
    assert governor.policy.version == wiring.policy.version == good
    assert wiring._watch is not None and "policy" in (wiring._watch.last_error or "").lower()
    shutil.copy(DEFAULT_POLICY_PATH, policy_file)
    write_policy_change(policy_file, agent="ap_clerk", operation="erp.post_invoice", tier=Tier.SHADOW)
    assert wiring.refresh_policy() is True
    assert governor.policy.version == load_policy(policy_file).version != good


def test_an_unchanged_rewrite_is_not_a_change(tmp_path: Path) -> None:
    policy_file = tmp_path / "policy.yaml"
    shutil.copy(DEFAULT_POLICY_PATH, policy_file)
    watch = PolicyWatch(policy_file, load_policy(policy_file))
    policy_file.write_text(policy_file.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert watch.changed() is None  # same content, same version
