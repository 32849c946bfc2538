"""Shared pieces for the procurement agent's tests: paths, a governor over a fake ERP."""

from __future__ import annotations

from pathlib import Path

import pytest

from agents.performers.erp import ERPPerformer
from connectors.erp.fake import FakeERP
from governance.policy import load_policy
from governance.runtime import Governor
from governance.store import Store

ROOT = Path(__file__).resolve().parents[3]
FIXTURES = ROOT / "fixtures"


@pytest.fixture
def fake_erp() -> FakeERP:
    return FakeERP.sample()


@pytest.fixture
def governor(sqlite_url: str, fake_erp: FakeERP) -> Governor:
    policy = load_policy(FIXTURES / "policy.yaml")
    return Governor(policy, Store(sqlite_url), {"sap": ERPPerformer(fake_erp)})
