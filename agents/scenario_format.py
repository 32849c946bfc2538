"""The scenario format every agent's replay shares (docs/SCENARIOS.md).

A case is ``id``, ``agent``, ``state`` (neutral records per system kind), ``input`` and
``expected``. A file holds one case, or ``cases:`` with an optional file-level ``shared_state``
merged into each case's state and an optional file-level ``agent``. Cases of other agents in the
same tree are skipped, so one folder can hold a mixed suite. Each agent defines its own case
model (its input and expected outcome) and loads with `load_cases`.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from connectors.directory.fake import FakeDirectory
from connectors.directory.models import UserStatus
from connectors.erp.fake import FakeERP
from connectors.erp.models import GoodsReceipt, PurchaseOrder, SupplierInvoice, Vendor
from connectors.itsm.models import CatalogItem, ITSMUser


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ERPState(StrictModel):
    """ERP records a case needs, in the neutral `connectors.erp.models` shapes."""

    vendors: tuple[Vendor, ...] = ()
    purchase_orders: tuple[PurchaseOrder, ...] = ()
    goods_receipts: tuple[GoodsReceipt, ...] = ()
    invoices: tuple[SupplierInvoice, ...] = ()
    """Invoices already in the ERP before the case's input arrives."""

    def seeded(self) -> FakeERP:
        """A fresh `FakeERP` holding exactly these records."""
        erp = FakeERP()
        for vendor in self.vendors:
            erp.add_vendor(vendor)
        for order in self.purchase_orders:
            erp.add_purchase_order(order)
        for receipt in self.goods_receipts:
            erp.add_goods_receipt(receipt)
        for invoice in self.invoices:
            erp.add_invoice(invoice)
        return erp


class DirectoryPerson(StrictModel):
    """A person a case adds to the sample organisation (`connectors.directory.sample`)."""

    login: str
    email: str | None = None
    display_name: str = ""
    status: UserStatus = UserStatus.ACTIVE
    manager: str | None = None
    """The manager's login."""
    department: str | None = None
    title: str | None = None
    groups: tuple[str, ...] = ()
    """Group names the person is a direct member of."""


class StatusChange(StrictModel):
    login: str
    status: UserStatus


class Membership(StrictModel):
    login: str
    group: str


class DirectoryState(StrictModel):
    """Changes a case makes to the sample organisation, which is always the starting point."""

    people: tuple[DirectoryPerson, ...] = ()
    statuses: tuple[StatusChange, ...] = ()
    """Account states to force (``locked``, ``suspended`` ...), applied after `people` are added."""
    memberships: tuple[Membership, ...] = ()
    """Extra direct memberships."""

    def seeded(self) -> FakeDirectory:
        """A fresh `FakeDirectory.sample()` with these changes; an unknown login or group is an error."""
        directory = FakeDirectory.sample()
        groups = {g.name.casefold(): g.id for g in directory.list_groups()}

        def user_id(login: str) -> str:
            user = directory.find_user(login=login)
            if user is None:
                raise ValueError(f"directory state names an unknown login {login!r}")
            return user.id

        def group_id(name: str) -> str:
            if name.casefold() not in groups:
                raise ValueError(f"directory state names an unknown group {name!r}")
            return groups[name.casefold()]

        for person in self.people:
            added = directory.add_user(
                person.login,
                email=person.email,
                display_name=person.display_name,
                status=person.status,
                manager_id=user_id(person.manager) if person.manager else None,
                department=person.department,
                title=person.title,
            )
            for name in person.groups:
                directory.add_member(group_id(name), added.id)
        for change in self.statuses:
            directory.set_status(user_id(change.login), change.status)
        for membership in self.memberships:
            directory.add_member(group_id(membership.group), user_id(membership.login))
        return directory


class ITSMState(StrictModel):
    """ITSM records a case adds to the agent's sample desk (callers, assignment groups, catalogue)."""

    users: tuple[ITSMUser, ...] = ()
    """Callers; one with the user name of a sample caller replaces that caller."""
    groups: tuple[str, ...] = ()
    catalog_items: tuple[CatalogItem, ...] = ()


class SystemState(StrictModel):
    erp: ERPState = ERPState()


Case = TypeVar("Case", bound=BaseModel)


def merge_state(shared: dict[str, Any], own: dict[str, Any]) -> dict[str, Any]:
    """A case's state: the file's shared records first, then the case's own, per system and kind."""
    merged: dict[str, Any] = {}
    for system in {*shared, *own}:
        records: dict[str, list[Any]] = {}
        for source in (shared.get(system) or {}, own.get(system) or {}):
            for kind, items in source.items():
                records.setdefault(kind, []).extend(items or [])
        merged[system] = records
    return merged


def load_cases(
    path: str | Path,
    model: type[Case],
    *,
    agent: str,
    error: type[Exception],
    file_keys: Iterable[str] = (),
) -> list[Case]:
    """Every `agent` case in a file, or in every ``*.yaml``/``*.yml`` file under a directory.

    `file_keys` are file-level settings applied to every case of the file; any problem raises
    `error` with a message naming the file, the case and the field.
    """
    root = Path(path)
    if root.is_dir():
        files = sorted(p for p in root.rglob("*") if p.suffix in (".yaml", ".yml"))
    elif root.is_file():
        files = [root]
    else:
        raise error(f"{root}: no such scenario file or directory")
    cases = [case for file in files for case in _load_file(file, model, agent, error, tuple(file_keys))]
    seen: set[str] = set()
    for case in cases:
        case_id = str(getattr(case, "id", ""))
        if case_id in seen:
            raise error(f"{getattr(case, 'origin', root)}: duplicate case id {case_id!r}")
        seen.add(case_id)
    return cases


def _load_file(
    file: Path, model: type[Case], agent: str, error: type[Exception], file_keys: tuple[str, ...]
) -> list[Case]:
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise error(f"{file}: cannot read scenarios: {exc}") from None
    if not isinstance(data, dict):
        raise error(f"{file}: expected a case or a mapping with 'cases'")
    shared = data.get("shared_state") or {}
    file_level = {key: data[key] for key in file_keys if key in data}
    found = []
    for index, raw in enumerate(data.get("cases", [data])):
        if not isinstance(raw, dict):
            raise error(f"{file}: cases[{index}] is not a mapping")
        case_agent = raw.get("agent", data.get("agent"))
        if case_agent != agent:
            continue  # another agent's case in a shared suite
        own = {k: v for k, v in raw.items() if k not in (*file_keys, "shared_state")}
        case = {**file_level, **own, "agent": case_agent, "origin": str(file)}
        case["state"] = merge_state(shared, raw.get("state") or {})
        try:
            found.append(model.model_validate(case))
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(part) for part in first["loc"])
            raise error(f"{file}: case {raw.get('id', index)!r}: {where}: {first['msg']}") from None
    return found
