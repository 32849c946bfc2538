"""Customer identification order and the refusal to guess."""

from __future__ import annotations

from agents.intake.identification import IdentityMethod, identify
from connectors.crm.fake import FakeCRM
from connectors.crm.models import Account, Contact


def test_exact_email_wins_case_insensitively() -> None:
    crm = FakeCRM.sample()
    found = identify(crm, email="ADA.Andersen0@acme.example", account_numbers=(), name=None, company=None)
    assert found.method is IdentityMethod.EMAIL
    assert found.account is not None and found.account.id == "ACC-01"
    assert found.contact is not None and found.contact.id == "CON-01"


def test_account_number_when_email_unknown() -> None:
    crm = FakeCRM.sample()
    found = identify(
        crm, email="nobody@else.example", account_numbers=("CUST-10008",), name=None, company=None
    )
    assert found.method is IdentityMethod.ACCOUNT_NUMBER and found.account is not None
    assert found.account.id == "ACC-02"


def test_known_email_quoting_another_customers_number_is_ambiguous() -> None:
    crm = FakeCRM.sample()
    found = identify(
        crm, email="ada.andersen0@acme.example", account_numbers=("CUST-10008",), name=None, company=None
    )
    assert not found.found and found.ambiguous
    assert {a.id for a in found.candidates} == {"ACC-01", "ACC-02"}


def test_two_account_numbers_are_ambiguous() -> None:
    crm = FakeCRM.sample()
    found = identify(crm, email=None, account_numbers=("CUST-10001", "CUST-10008"), name=None, company=None)
    assert found.ambiguous


def test_fuzzy_name_and_company() -> None:
    crm = FakeCRM.sample()
    found = identify(
        crm, email="a@gmail.example", account_numbers=(), name="Ada Anderson", company="Acme Corp"
    )
    assert found.method is IdentityMethod.FUZZY_NAME
    assert found.account is not None and found.account.id == "ACC-01"


def test_two_equally_good_fuzzy_matches_are_never_guessed() -> None:
    crm = FakeCRM()
    for index, name in enumerate(("Northwind Traders", "Northwind Traders GmbH"), start=1):
        crm.seed_account(Account(id=f"A{index}", name=name, account_number=f"CUST-9{index}"))
        crm.seed_contact(
            Contact(
                id=f"C{index}",
                first_name="Kim",
                last_name="Berg",
                email=f"kim{index}@nw.example",
                account_id=f"A{index}",
            )
        )
    found = identify(crm, email=None, account_numbers=(), name="Kim Berg", company="Northwind Traders")
    assert not found.found and found.ambiguous
    assert {a.id for a in found.candidates} == {"A1", "A2"}


def test_nobody() -> None:
    crm = FakeCRM.sample()
    assert not identify(crm, email="x@y.example", account_numbers=(), name=None, company=None).found
    assert not identify(
        crm, email=None, account_numbers=("CUST-0",), name="Zzz Qqq", company="Nothing Ltd"
    ).found
