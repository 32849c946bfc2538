"""Policy file versions: a tier or kill-switch change written into the policy file as a new,
validated version, the previous content archived byte for byte under ``.policy-versions/``."""

from __future__ import annotations

import fcntl
import os
import stat
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import yaml

from governance.policy import Tier, load_policy, parse_policy


@dataclass(frozen=True)
class PolicyChange:
    """A new policy file version: what changed, and the versions before and after."""

    agent: str
    operation: str | None
    old_tier: str | None
    new_tier: str | None
    kill_switch: bool | None
    old_policy_version: str
    new_policy_version: str
    policy_file: str
    archived_previous: str
    """Where the previous file content was kept, byte for byte."""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def write_policy_change(
    policy_path: Path,
    *,
    agent: str,
    operation: str | None = None,
    tier: Tier | None = None,
    kill_switch: bool | None = None,
) -> PolicyChange:
    """Write the changed tier (or kill switch) into the policy file as a new, validated version.

    The previous content is archived unchanged under ``.policy-versions/`` beside the file (named
    by its version) before the file is atomically replaced; the new content must pass the
    policy's own validation, so a change can never leave an invalid policy behind. An exclusive
    lock on ``<policy>.lock`` serialises concurrent changes, so none is lost.
    """
    lock_path = policy_path.with_name(policy_path.name + ".lock")
    with lock_path.open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return _rewrite_policy(policy_path, agent, operation, tier, kill_switch)


def _rewrite_policy(
    policy_path: Path, agent: str, operation: str | None, tier: Tier | None, kill_switch: bool | None
) -> PolicyChange:
    text = policy_path.read_text(encoding="utf-8")
    old = load_policy(policy_path)
    old.agent(agent)  # an unknown agent fails here, with the agents the policy declares
    data = yaml.safe_load(text)
    entry = data["agents"][agent]
    old_tier = None
    if operation is not None and tier is not None:
        classes = entry.setdefault("autonomy", {}).setdefault("classes", {})
        old_tier = old.agent(agent).autonomy.tier_for(operation).value
        classes[operation] = tier.value
    if kill_switch is not None:
        entry["kill_switch"] = kill_switch
    new = parse_policy(data, source=str(policy_path))
    archive_dir = policy_path.parent / ".policy-versions"
    archive_dir.mkdir(exist_ok=True)
    archive = archive_dir / f"{policy_path.stem}.{old.version[:16]}{policy_path.suffix}"
    archive.write_text(text, encoding="utf-8")
    header = (
        f"# Written by opspack autonomy: {agent} {operation or 'kill_switch'} changed.\n"
        f"# Previous version {old.version[:16]} kept at {archive}.\n"
    )
    body = header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=110)
    handle, temporary = tempfile.mkstemp(dir=policy_path.parent, prefix=".policy-", suffix=".tmp")
    with os.fdopen(handle, "w", encoding="utf-8") as stream:
        stream.write(body)
    os.chmod(temporary, stat.S_IMODE(policy_path.stat().st_mode))  # keep the file's permissions
    os.replace(temporary, policy_path)
    return PolicyChange(
        agent,
        operation,
        old_tier,
        tier.value if tier is not None else None,
        kill_switch,
        old.version,
        new.version,
        str(policy_path),
        str(archive),
    )
