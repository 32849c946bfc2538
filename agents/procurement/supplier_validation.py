"""Vendor master validation: findings, and the governed changes that would fix them.

Findings: mandatory fields missing, implausible tax ids (EU VAT format and check digits, US EIN),
IBANs failing ISO 13616, duplicate vendors, a bank account shared by unrelated vendors (a fraud
signal), and blocked vendors still on open purchase orders.

Proposals are `Action`s, never direct writes: merge a duplicate group into a survivor, block a
vendor whose bank details fail or are borrowed, fix a tax id whose only fault is formatting, close
a blocked vendor's open POs. Vendor-master changes are high risk, so the policy holds them for a
named approver; `submit_proposals` sends them through the `Governor`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from agents.procurement.supplier_duplicates import DuplicatePair, duplicate_groups, find_duplicates
from agents.procurement.supplier_ids import compact, iban_problem, tax_id_problem
from agents.procurement.supplier_master import SupplierMaster, SupplierRecord
from governance.action import Action
from governance.runtime import Governor, Outcome
from observability.tracing import step, transaction

AGENT = "procurement"
MANDATORY = ("name", "country", "tax_id")
ADDRESS_FIELDS = ("street", "city", "postal_code")


@dataclass(frozen=True)
class Finding:
    """One problem with one vendor record."""

    vendor_id: str
    kind: str
    """``missing_field``, ``invalid_tax_id``, ``invalid_iban``, ``duplicate``, ``shared_bank_account``,
    ``blocked_with_open_pos`` or ``format``."""
    message: str
    related: tuple[str, ...] = ()
    """Other vendor ids or PO ids involved."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "vendor_id": self.vendor_id,
            "kind": self.kind,
            "message": self.message,
            "related": list(self.related),
        }


@dataclass(frozen=True)
class Proposal:
    """A governed change that would resolve findings: merge, block, fix or close_po."""

    kind: str
    action: Action
    reason: str


@dataclass
class ValidationReport:
    records: int
    findings: list[Finding] = field(default_factory=list)
    proposals: list[Proposal] = field(default_factory=list)
    duplicate_pairs: list[DuplicatePair] = field(default_factory=list)

    def as_dict(self, outcomes: Sequence[Outcome] | None = None) -> dict[str, Any]:
        """Findings and proposals as JSON-ready data, with the governance outcome of each proposal
        (in proposal order, as `submit_proposals` returns them) when they were submitted."""
        proposals = []
        for index, proposal in enumerate(self.proposals):
            outcome = outcomes[index] if outcomes else None
            proposals.append(
                {
                    "kind": proposal.kind,
                    "operation": proposal.action.operation,
                    "target": proposal.action.target,
                    "params": proposal.action.params,
                    "reason": proposal.reason,
                    "outcome": outcome.status if outcome else "not submitted",
                    "approval_id": outcome.approval_id if outcome else None,
                }
            )
        return {
            "records": self.records,
            "findings": [f.as_dict() for f in self.findings],
            "proposals": proposals,
        }

    def defects(self) -> set[tuple[str, str]]:
        """(vendor id, finding kind) pairs -- what the fixture's expected defects list."""
        return {(f.vendor_id, f.kind) for f in self.findings}


def validate_suppliers(master: SupplierMaster, *, system: str = "sap") -> ValidationReport:
    """Every finding for every record, and the proposals that follow from them."""
    report = ValidationReport(records=len(master.records))
    by_id = {r.vendor_id: r for r in master.records}
    for record in master.records:
        report.findings.extend(_record_findings(record))
        orders = master.open_orders.get(record.vendor_id, [])
        if record.blocked and orders:
            report.findings.append(
                Finding(
                    record.vendor_id,
                    "blocked_with_open_pos",
                    f"blocked vendor still has {len(orders)} open PO(s)",
                    tuple(orders),
                )
            )
            for po in orders:
                report.proposals.append(
                    Proposal(
                        "close_po",
                        _action(
                            system, "erp.update_po_status", po, {"status": "closed"}, f"po-close-blocked:{po}"
                        ),
                        f"vendor {record.vendor_id} is blocked",
                    )
                )
    report.duplicate_pairs = find_duplicates(master.records)
    _duplicates(report, by_id, system)
    for finding in report.findings:
        if finding.kind == "invalid_iban":
            report.proposals.append(_block(system, finding.vendor_id, "invalid_iban", finding.message))
        elif finding.kind == "format":
            record = by_id[finding.vendor_id]
            report.proposals.append(
                Proposal(
                    "fix",
                    _action(
                        system,
                        "erp.update_vendor",
                        record.vendor_id,
                        {"tax_id": compact(record.tax_id)},
                        f"vendor-fix-tax-id:{record.vendor_id}:{compact(record.tax_id)}",
                    ),
                    finding.message,
                )
            )
    report.findings.sort(key=lambda f: (f.vendor_id, f.kind))
    return report


def _record_findings(record: SupplierRecord) -> list[Finding]:
    findings = []
    missing = [name for name in MANDATORY if not getattr(record, name)]
    if record.has_address:
        missing += [name for name in ADDRESS_FIELDS if not getattr(record, name)]
    if not record.iban and not record.account_number:
        missing.append("bank account (iban or account_number)")
    if missing:
        findings.append(
            Finding(record.vendor_id, "missing_field", f"missing mandatory field(s): {', '.join(missing)}")
        )
    if record.tax_id:
        problem = tax_id_problem(record.tax_id, record.country or None)
        if problem is not None:
            findings.append(Finding(record.vendor_id, "invalid_tax_id", problem))
        elif record.tax_id != compact(record.tax_id) and (record.country or "").upper() != "US":
            findings.append(
                Finding(
                    record.vendor_id,
                    "format",
                    f"tax id {record.tax_id!r} should be stored as {compact(record.tax_id)}",
                )
            )
    if record.iban:
        problem = iban_problem(record.iban)
        if problem is not None:
            findings.append(Finding(record.vendor_id, "invalid_iban", problem))
    return findings


def _duplicates(report: ValidationReport, by_id: dict[str, SupplierRecord], system: str) -> None:
    """Name-backed groups merge into a survivor; bank-only links are flagged and blocked instead."""
    linked = [p for p in report.duplicate_pairs if p.rules != ("same_bank_account",)]
    bank_only = [p for p in report.duplicate_pairs if p.rules == ("same_bank_account",)]
    rules_of: dict[str, set[str]] = defaultdict(set)
    for pair in linked:
        rules_of[pair.first].update(pair.rules)
        rules_of[pair.second].update(pair.rules)
    for group in duplicate_groups(linked):
        survivor = min(group, key=lambda vid: _survivor_rank(by_id[vid]))
        others = [vid for vid in group if vid != survivor]
        for vid in others:
            report.findings.append(
                Finding(
                    vid,
                    "duplicate",
                    f"duplicate of {survivor} ({', '.join(sorted(rules_of[vid]))})",
                    (survivor,),
                )
            )
        report.proposals.append(
            Proposal(
                "merge",
                _action(
                    system,
                    "erp.merge_vendors",
                    survivor,
                    {"duplicates": others, "rules": sorted(set().union(*(rules_of[v] for v in group)))},
                    f"vendor-merge:{survivor}:{'+'.join(others)}",
                ),
                f"merge {', '.join(others)} into {survivor}; block the merged records, keep their history",
            )
        )
    in_groups = {vid for g in duplicate_groups(linked) for vid in g}
    for pair in bank_only:
        newer = max(pair.first, pair.second)
        older = min(pair.first, pair.second)
        if newer in in_groups and older in in_groups:
            continue
        message = f"bank account also used by {older} under a different name (possible payment fraud)"
        report.findings.append(Finding(newer, "shared_bank_account", message, (older,)))
        report.proposals.append(_block(system, newer, "shared_bank_account", message))


def _survivor_rank(record: SupplierRecord) -> tuple[int, int, str]:
    filled = sum(
        bool(getattr(record, name)) for name in (*MANDATORY, *ADDRESS_FIELDS, "iban", "account_number")
    )
    return (int(record.blocked), -filled, record.vendor_id)


def _block(system: str, vendor_id: str, code: str, reason: str) -> Proposal:
    return Proposal(
        "block",
        _action(
            system, "erp.block_vendor", vendor_id, {"reason": reason}, f"vendor-block:{vendor_id}:{code}"
        ),
        reason,
    )


def _action(system: str, operation: str, target: str, params: dict[str, Any], business_key: str) -> Action:
    return Action(
        agent=AGENT,
        system=system,
        operation=operation,
        target=target,
        params=params,
        business_key=business_key,
    )


def submit_proposals(
    governor: Governor, report: ValidationReport, *, transaction_id: str, source: str
) -> list[tuple[Proposal, Outcome]]:
    """Record the findings in the ledger and send each proposal through governance."""
    with transaction(transaction_id, agent=AGENT, source=source):
        with step("intake"):
            governor.ledger.append(
                transaction_id, "intake", {"source": source, "records": report.records}, agent=AGENT
            )
        with step("perceive"):
            governor.ledger.append(
                transaction_id,
                "perception",
                {"findings": [f.as_dict() for f in report.findings]},
                agent=AGENT,
            )
        outcomes = []
        for proposal in report.proposals:
            with step("decide", rule=f"supplier.{proposal.kind}"):
                governor.ledger.append(
                    transaction_id,
                    "decision",
                    {
                        "rule": f"supplier.{proposal.kind}",
                        "rationale": proposal.reason,
                        "action_digest": proposal.action.digest_for(governor.policy.version),
                        "proposed": {
                            "operation": proposal.action.operation,
                            "target": proposal.action.target,
                        },
                    },
                    agent=AGENT,
                )
            outcomes.append((proposal, governor.submit(proposal.action, transaction_id=transaction_id)))
    return outcomes
