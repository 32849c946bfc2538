"""A small company for the console tests: the SAP mock, the AP agent, held invoices, console users.

Two invoices above the AP agent's posting cap (25 000 EUR) are processed by the real AP agent
against the in-process SAP S/4HANA mock, so each waits for approval with its full case file. The
console gets a performer on the same SAP mock: approving there posts the invoice in the mock.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from agents.ap.agent import APAgent
from agents.ap.result import APResult
from agents.performers import ERPPerformer
from connectors.erp.protocol import ERPConnector
from governance.action import Action
from governance.policy import load_policy
from governance.runtime import Governor, Outcome
from governance.store import Store
from opspack.cli.ap import mock_erp
from opspack.console.passwords import hash_password
from opspack.console.settings import ConsoleSettings
from opspack.console.users import Role, write_user
from opspack.settings import policy_path

NOW = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)
SECRET = "console-test-secret-key-of-at-least-32-bytes"
USERS: dict[str, tuple[Role, str | None]] = {
    "alice": (Role.APPROVER, "alice"),
    "bob": (Role.APPROVER, "bob"),
    "carol": (Role.APPROVER, "carol"),
    "victor": (Role.VIEWER, None),
    "ada": (Role.ADMIN, None),
}
SODEXO = {
    "vendor_id": "17300015",
    "vendor_name": "Sodexo Services SRL",
    "vendor_tax_id": "IT00805980157",
    "iban": "IT60X0542811101000000123456",
    "po_number": "4500000002",
}
LINES = {
    "10": ("Canteen lunch service, monthly", "8425.75"),
    "20": ("Canteen lunch service, monthly", "8157.24"),
}


def password_of(user: str) -> str:
    return f"{user}-console-password"


def write_users(path: Path) -> Path:
    for name, (role, approver) in USERS.items():
        # n=1024 keeps the suite fast; the default cost is tested in test_users_and_passwords.py
        write_user(
            path,
            name,
            role=role,
            approver=approver,
            password_hash=hash_password(password_of(name), n=1024),
            name=name.title(),
        )
    return path


def invoice_file(folder: Path, number: str, po_line: str, quantity: int) -> Path:
    description, price = LINES[po_line]
    amount = (Decimal(quantity) * Decimal(price)).quantize(Decimal("0.01"))
    tax = (amount * Decimal("0.22")).quantize(Decimal("0.01"))
    data = {
        "vendor_name": SODEXO["vendor_name"],
        "vendor_tax_id": SODEXO["vendor_tax_id"],
        "invoice_number": number,
        "po_number": SODEXO["po_number"],
        "currency": "EUR",
        "iban": SODEXO["iban"],
        "invoice_date": "2026-03-02",
        "due_date": "2026-04-01",
        "subtotal": str(amount),
        "tax": str(tax),
        "total": str(amount + tax),
        "lines": [
            {
                "description": description,
                "quantity": str(quantity),
                "unit": "MON",
                "unit_price": price,
                "amount": str(amount),
                "po_line": po_line,
            }
        ],
    }
    path = folder / f"{number}.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


@dataclass
class World:
    erp: ERPConnector
    governor: Governor
    held: dict[str, APResult]
    """Invoice number -> the AP agent's result (awaiting approval, with its approval id)."""
    settings: ConsoleSettings

    def approval_id(self, invoice: str) -> str:
        return str(self.held[invoice].approval_id)

    def human_request(self, requested_by: str, reference: str = "MANUAL-1") -> Outcome:
        """A payment a person asked for (above the 10 000 EUR payment cap, so it is held)."""
        action = Action(
            agent="ap_clerk",
            system="sap",
            operation="erp.schedule_payment",
            target="5105600001",
            params={
                "payment_date": "2026-04-01",
                "amount": "12000.00",
                "currency": "EUR",
                "vendor_id": SODEXO["vendor_id"],
                "bank_accounts": [SODEXO["iban"]],
            },
            business_key=f"manual-payment:{reference}",
            requested_by=requested_by,
        )
        return self.governor.submit(action, transaction_id=f"manual-{reference}")


def build_world(tmp_path: Path, *, secure_cookies: bool = True) -> World:
    erp = mock_erp("sap")
    database = f"sqlite:///{tmp_path / 'console.db'}"
    policy = load_policy(policy_path())
    governor = Governor(policy, Store(database), {"sap": ERPPerformer(erp)}, clock=lambda: NOW)
    agent = APAgent(governor, erp, system="sap")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    held = {}
    for number, line in (("SOD-9001", "10"), ("SOD-9002", "20")):
        result = agent.process(invoice_file(inbox, number, line, 4))
        assert result.status == "awaiting_approval", result
        held[number] = result
    settings = ConsoleSettings(
        users_file=write_users(tmp_path / "users.yaml"),
        secret_key=SECRET,
        database_url=database,
        policy_file=policy_path(),
        performers=lambda policy, agent: {"sap": ERPPerformer(erp)},
        clock=lambda: NOW,
        secure_cookies=secure_cookies,
    )
    return World(erp, governor, held, settings)


CSRF_PATTERN = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    match = CSRF_PATTERN.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1)
