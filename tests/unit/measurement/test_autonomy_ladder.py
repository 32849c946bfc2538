"""The autonomy ladder: promotion refused below the evidence bound, granted above it with sign-off,
written as a new policy version; automatic demotion on regression."""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from measurement_ledgers import NOW, POLICY, LedgerWriter, config

from governance.approver_auth import AuthenticatedApprover, FakeApproverDirectory, authenticate_approver
from governance.autonomy import (
    AUTOMATIC_ACTOR,
    AutonomyError,
    demote,
    demote_regressions,
    gather_evidence,
    ladder,
    promote,
)
from governance.baselines import wilson_bounds
from governance.ledger import Ledger
from governance.metrics import TransactionView, read_transactions
from governance.policy import Tier, load_policy
from governance.store import Store


def signed(approver: str) -> AuthenticatedApprover:
    """`approver`, authenticated against a test directory holding their secret."""
    return authenticate_approver(approver, "secret", FakeApproverDirectory({approver: "secret"}))


PO = "erp.update_po_status"


@pytest.fixture
def policy_file(tmp_path: Path) -> Path:
    copy = tmp_path / "policy.yaml"
    shutil.copy(POLICY, copy)
    return copy


def shadow_history(store: Store, agreed: int, total: int) -> list[TransactionView]:
    writer = LedgerWriter(store)
    for i in range(total):
        writer.transaction(
            "procurement", PO, "shadowed", at=NOW - timedelta(hours=i + 1), shadow_agreed=i < agreed
        )
    return read_transactions(Ledger(store), config().metrics)


def tier(policy_file: Path, agent: str, operation: str) -> Tier:
    return load_policy(policy_file).agent(agent).autonomy.tier_for(operation)


def test_wilson_bounds_known_values() -> None:
    low, high = wilson_bounds(56, 60, 0.95)
    assert round(low, 4) == 0.8596 and round(high, 4) == 0.9697
    assert wilson_bounds(0, 0, 0.95) == (0.0, 1.0)


def test_promotion_refused_just_below_the_agreement_bound(sqlite_url: str, policy_file: Path) -> None:
    store = Store(sqlite_url)
    views = shadow_history(store, agreed=55, total=60)  # Wilson lower bound 0.8385 < 0.85
    before = policy_file.read_text()
    with pytest.raises(AutonomyError, match=r"agreement lower bound 0\.8385 < target 0\.85"):
        promote(
            policy_file,
            Ledger(store),
            views,
            config(),
            agent="procurement",
            operation=PO,
            signer=signed("dave"),
            reason="shadow period done",
            now=NOW,
        )
    assert policy_file.read_text() == before
    assert Ledger(store).records(kind="autonomy_changed") == []


def test_promotion_refused_below_volume(sqlite_url: str, policy_file: Path) -> None:
    store = Store(sqlite_url)
    views = shadow_history(store, agreed=40, total=40)
    with pytest.raises(AutonomyError, match="volume 40 < 50"):
        promote(
            policy_file,
            Ledger(store),
            views,
            config(),
            agent="procurement",
            operation=PO,
            signer=signed("dave"),
            reason="r",
            now=NOW,
        )


def test_promotion_needs_an_entitled_signer(sqlite_url: str, policy_file: Path) -> None:
    store = Store(sqlite_url)
    views = shadow_history(store, agreed=56, total=60)
    with pytest.raises(AutonomyError, match="'carol' may not sign off"):
        promote(
            policy_file,
            Ledger(store),
            views,
            config(),
            agent="procurement",
            operation=PO,
            signer=signed("carol"),
            reason="r",
            now=NOW,
        )
    assert tier(policy_file, "procurement", PO) is Tier.SHADOW


def test_promotion_granted_above_the_bound_writes_a_new_policy_version(
    sqlite_url: str, policy_file: Path
) -> None:
    store = Store(sqlite_url)
    views = shadow_history(store, agreed=56, total=60)  # Wilson lower bound 0.8596 ≥ 0.85
    policy_file.chmod(0o644)
    old_text, old_version, mode = policy_file.read_text(), load_policy(policy_file).version, oct(0o644)
    change = promote(
        policy_file,
        Ledger(store),
        views,
        config(),
        agent="procurement",
        operation=PO,
        signer=signed("dave"),
        reason="60 shadow cases, 56 agreed",
        now=NOW,
    )
    assert tier(policy_file, "procurement", PO) is Tier.HITL
    assert change.old_policy_version == old_version
    assert change.new_policy_version == load_policy(policy_file).version != old_version
    assert Path(change.archived_previous).read_text() == old_text
    assert oct(policy_file.stat().st_mode & 0o777) == mode
    (record,) = Ledger(store).records(kind="autonomy_changed")
    assert record.actor == "dave" and record.agent == "procurement"
    payload = record.payload
    assert payload["direction"] == "promote" and payload["signed_off_by"] == "dave"
    assert (payload["old_tier"], payload["new_tier"]) == ("shadow", "hitl")
    assert (
        payload["old_policy_version"] == old_version
        and payload["new_policy_version"] == change.new_policy_version
    )
    assert payload["evidence"]["agreed"] == 56 and payload["evidence"]["volume"] == 60
    # everything else in the policy is unchanged
    old_agents = load_policy(Path(change.archived_previous)).agents
    new_agents = load_policy(policy_file).agents
    assert old_agents["ap_clerk"] == new_agents["ap_clerk"]


def test_promotion_never_skips_a_tier_and_needs_executions_above_hitl(
    sqlite_url: str, policy_file: Path
) -> None:
    store = Store(sqlite_url)
    views = shadow_history(store, agreed=60, total=60)
    promote(
        policy_file,
        Ledger(store),
        views,
        config(),
        agent="procurement",
        operation=PO,
        signer=signed("dave"),
        reason="r",
        now=NOW,
    )
    with pytest.raises(AutonomyError, match="no executed actions"):
        promote(
            policy_file,
            Ledger(store),
            views,
            config(),
            agent="procurement",
            operation=PO,
            signer=signed("dave"),
            reason="r",
            now=NOW,
        )
    assert tier(policy_file, "procurement", PO) is Tier.HITL


def clean_and_corrected(
    store: Store, total: int, corrected: int, root_cause: str = "wrong_gl_account"
) -> list[TransactionView]:
    writer = LedgerWriter(store)
    for i in range(total):
        writer.transaction(
            "ap_clerk",
            "erp.post_invoice",
            "autonomous",
            at=NOW - timedelta(hours=i + 1),
            corrected=i < corrected,
            root_cause=root_cause,
        )
    return read_transactions(Ledger(store), config().metrics)


def test_automatic_demotion_on_error_rate_regression(sqlite_url: str, policy_file: Path) -> None:
    store = Store(sqlite_url)
    views = clean_and_corrected(store, total=200, corrected=10)  # error lower bound 0.0301 > 0.01
    changes = demote_regressions(policy_file, Ledger(store), views, config(), NOW)
    assert [(c.agent, c.operation, c.old_tier, c.new_tier) for c in changes] == [
        ("ap_clerk", "erp.post_invoice", "hootl", "hotl")
    ]
    (record,) = Ledger(store).records(kind="autonomy_changed")
    assert record.actor == AUTOMATIC_ACTOR and record.payload["direction"] == "demote"
    assert "error rate lower bound 0.0301 > target 0.01" in record.payload["reasons"][0]
    # still above hotl's 2 % target with confidence: one more step, then the floor holds
    demote_regressions(policy_file, Ledger(store), views, config(), NOW)
    assert tier(policy_file, "ap_clerk", "erp.post_invoice") is Tier.HITL
    assert demote_regressions(policy_file, Ledger(store), views, config(), NOW) == []


def test_no_demotion_when_the_error_rate_is_not_confidently_above_target(
    sqlite_url: str, policy_file: Path
) -> None:
    store = Store(sqlite_url)
    views = clean_and_corrected(store, total=200, corrected=1)  # 0.5 %, lower bound far below 1 %
    assert demote_regressions(policy_file, Ledger(store), views, config(), NOW) == []
    assert tier(policy_file, "ap_clerk", "erp.post_invoice") is Tier.HOOTL


def test_one_critical_error_demotes(sqlite_url: str, policy_file: Path) -> None:
    store = Store(sqlite_url)
    views = clean_and_corrected(store, total=200, corrected=1, root_cause="duplicate_payment")
    evidence = gather_evidence(views, "ap_clerk", "erp.post_invoice", config(), NOW)
    assert evidence.critical_errors == 1
    (change,) = demote_regressions(policy_file, Ledger(store), views, config(), NOW)
    assert change.new_tier == "hotl"


def test_ladder_recommends_and_manual_demotion_is_recorded(sqlite_url: str, policy_file: Path) -> None:
    store = Store(sqlite_url)
    views = shadow_history(store, agreed=60, total=60)
    rungs = {(r.agent, r.operation): r for r in ladder(policy_file, views, config(), NOW)}
    assert rungs[("procurement", PO)].recommendation == "promote"
    assert rungs[("ap_clerk", "erp.post_invoice")].recommendation == "hold"
    change = demote(
        policy_file,
        Ledger(store),
        agent="service_desk",
        operation="itsm.resolve",
        actor="carol",
        reasons=["new KB rollout"],
        signer=signed("carol"),
    )
    assert change is not None and (change.old_tier, change.new_tier) == ("hootl", "hotl")
    with pytest.raises(AutonomyError, match="not granted"):
        demote(
            policy_file,
            Ledger(store),
            agent="service_desk",
            operation="erp.post_invoice",
            actor="carol",
            reasons=["x"],
            signer=signed("carol"),
        )


def test_concurrent_policy_changes_are_all_kept(policy_file: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from governance.autonomy import write_policy_change

    operations = [
        "itsm.read",
        "itsm.comment",
        "itsm.work_note",
        "itsm.assign",
        "itsm.resolve",
        "directory.read",
    ]
    with ThreadPoolExecutor(max_workers=len(operations)) as pool:
        list(
            pool.map(
                lambda op: write_policy_change(
                    policy_file, agent="service_desk", operation=op, tier=Tier.HOTL
                ),
                operations,
            )
        )
    classes = load_policy(policy_file).agent("service_desk").autonomy
    assert {op: classes.tier_for(op) for op in operations} == dict.fromkeys(operations, Tier.HOTL)
