"""Vendor master validation finds every planted defect, nothing on clean records, and proposes
governed changes that wait for approval."""

from __future__ import annotations

import csv

from agents.procurement.supplier_duplicates import find_duplicates, name_similarity, normalise_name
from agents.procurement.supplier_master import SupplierRecord, load_supplier_csv, load_supplier_erp
from agents.procurement.supplier_validation import submit_proposals, validate_suppliers
from connectors.erp.fake import FakeERP
from governance.ledger import Ledger
from governance.runtime import Governor

from .conftest import FIXTURES

SUPPLIERS = FIXTURES / "suppliers"


def fixture_report():  # type: ignore[no-untyped-def]
    return validate_suppliers(load_supplier_csv(SUPPLIERS / "vendors.csv", SUPPLIERS / "open_pos.csv"))


def test_every_planted_defect_and_no_false_positive() -> None:
    with (SUPPLIERS / "expected_defects.csv").open(encoding="utf-8") as handle:
        expected = {(row["vendor_id"], row["kind"]) for row in csv.DictReader(handle)}
    report = fixture_report()
    assert report.records == 40
    assert report.defects() == expected
    planted = {vendor for vendor, _ in expected} | {"V1002", "V1003", "V2002", "V1001"}
    clean = {f"V{n}" for n in range(1001, 1026)} - planted
    assert not [f for f in report.findings if f.vendor_id in clean]


def test_names_normalise_before_fuzzy_comparison() -> None:
    assert normalise_name("ACME Corp.") == normalise_name("Acme Corporation Inc.") == "acme"
    assert normalise_name("The Müller GmbH & Co. KG") == "mueller"
    assert name_similarity("Müller Industrietechnik GmbH", "Mueller Industrie-Technik GmbH") >= 90
    assert name_similarity("Global Logistics GmbH", "Global Services GmbH") < 90


def test_same_name_in_another_city_is_not_a_duplicate() -> None:
    a = SupplierRecord(
        "A", "Sodexo Services GmbH", country="DE", street="Allee 1", city="Frankfurt", postal_code="60486"
    )
    b = SupplierRecord(
        "B",
        "Sodexo Services GmbH",
        country="DE",
        street="Leopoldstr. 244",
        city="München",
        postal_code="80807",
    )
    c = SupplierRecord(
        "C", "Sodexo Services", country="DE", street="Allee 1", city="Frankfurt", postal_code="60486"
    )
    pairs = find_duplicates([a, b, c])
    assert [(p.first, p.second, p.rules) for p in pairs] == [("A", "C", ("similar_name_and_address",))]


def test_proposals_cover_merge_block_fix_and_close() -> None:
    report = fixture_report()
    by_kind = {(p.kind, p.action.operation, p.action.target) for p in report.proposals}
    assert ("merge", "erp.merge_vendors", "V1002") in by_kind  # Müller survives, Mueller merged
    assert ("merge", "erp.merge_vendors", "V2002") in by_kind  # ACME Corp. and Acme Corporation Inc.
    assert ("block", "erp.block_vendor", "V2004") in by_kind  # bad IBAN
    assert ("block", "erp.block_vendor", "V2012") in by_kind  # borrowed bank account
    assert ("fix", "erp.update_vendor", "V2013") in by_kind
    assert ("close_po", "erp.update_po_status", "4500001001") in by_kind
    fix = next(p for p in report.proposals if p.kind == "fix")
    assert fix.action.params == {"tax_id": "DE987654328"}


def test_vendor_changes_are_held_for_approval(governor: Governor, sqlite_url: str) -> None:
    report = fixture_report()
    outcomes = submit_proposals(governor, report, transaction_id="suppliers-t1", source="fixture")
    statuses = {p.action.operation: o.status for p, o in outcomes}
    assert statuses["erp.merge_vendors"] == "held"
    assert statuses["erp.block_vendor"] == "held"
    assert statuses["erp.update_vendor"] == "held"
    assert statuses["erp.update_po_status"] == "shadowed"
    assert all(o.approval_id for p, o in outcomes if o.status == "held")
    kinds = [r.kind for r in Ledger(governor.store).records(transaction_id="suppliers-t1")]
    assert kinds[:2] == ["intake", "perception"] and "decision" in kinds and "verdict" in kinds


def test_erp_vendor_master_duplicates_found() -> None:
    report = validate_suppliers(load_supplier_erp(FakeERP.sample()))
    duplicates = [f for f in report.findings if f.kind == "duplicate"]
    assert [(f.vendor_id, f.related) for f in duplicates] == [("V02", ("V01",))]
    # the Protocol has no addresses: only name, tax id and bank details are mandatory there
    assert not any("street" in f.message for f in report.findings)
