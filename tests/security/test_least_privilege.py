"""Hole 2: agents held full-write connectors and could write with no ledger record.

Three proofs that no write method is reachable from agent code:
1. every Protocol member is classified read or write (a new member fails here until classified);
2. every class in `agents/` that is handed a connector, a Governor or an agent is discovered,
   built with *full* in-memory fakes, and its object graph walked: every connector-like object
   reachable (outside the Governor, which alone holds performers) is a read-only view;
3. an AST pass over every agent module: no call of a write method name, no reach into the
   Governor's performers or a view's private slot, no `getattr(x, "<write>")`.
"""

from __future__ import annotations

import ast
import dataclasses
import importlib
import inspect
import re
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from agents.ap.agent import APAgent
from agents.ap.matcher import ThreeWayMatcher
from agents.ap.register import InvoiceRegister
from agents.ap.vendor_resolution import VendorResolver
from agents.core import Connections, Transaction, plan_lifecycle
from agents.governed_tools import GovernanceMiddleware, bound_tools, directory_operations
from agents.handoff import HandoffRouter
from agents.handoff_flows import BankChangeHold, DisputeCase, POFollowUpFromTicket
from agents.intake.agent import IntakeAgent
from agents.intake.case_work import CaseWork
from agents.intake.config import load_config as load_intake_config
from agents.intake.messages import Channel, InboundMessage
from agents.intake.orders import OrderBook
from agents.intake.outcomes import IntakeSystems
from agents.invoice_outcomes import InvoiceOutcomeReader
from agents.outcome_readers import TicketOutcomeReader
from agents.outcome_readers_crm import CaseOutcomeReader
from agents.performers.base import OperationPerformer
from agents.performers.erp import ERPPerformer
from agents.procurement.spend_run import SpendRun
from agents.procurement.spend_writeback import ReviewQueue, SpendRouter
from agents.service_desk.agent import ServiceDeskAgent
from agents.service_desk.config import load_config as load_desk_config
from agents.service_desk.execution import TicketRun
from agents.service_desk.facts import Desk, Reference, ServiceDeskSystems
from agents.service_desk.queue_state import TicketRecord
from agents.service_desk.wiring import knowledge_for
from connectors.crm.fake import FakeCRM
from connectors.directory.fake import FakeDirectory
from connectors.erp.fake import FakeERP
from connectors.erp.models import InvoiceDraft
from connectors.itsm.fake import FakeITSM
from connectors.itsm.models import NewTicket
from connectors.readonly import (
    PROTOCOLS,
    READ_METHODS,
    WRITE_METHODS,
    ReadOnlyView,
    WriteNotPermittedError,
    all_write_methods,
    protocol_members,
    read_only,
    read_only_erp,
    unclassified,
)
from governance.policy import load_policy
from governance.runtime import Governor
from governance.store import Store

ROOT = Path(__file__).resolve().parents[2]
AGENTS = ROOT / "agents"
POLICY = ROOT / "fixtures" / "policy.yaml"

SENSITIVE = {
    "ERPConnector",
    "ITSMConnector",
    "CRMConnector",
    "DirectoryConnector",
    "Governor",
    "ActionSubmitter",
}
"""Constructor parameter types that make a class agent code worth proving (transitively closed below)."""
WRITERS_AND_WIRING = {
    "IntakeSystems": "the connectors handed to an intake agent (input); IntakeAgent keeps `read_only()` of them",
    "ServiceDeskSystems": "the connectors handed to a service desk agent (input); the agent keeps `read_only()`",
}
"""Discovered classes that may hold full connectors, and why. Performers (the writers behind the
Governor) and `*.wiring` stacks are excluded by rule, not by name."""
WIRING_MODULES = {
    "agents/ap/replay.py",
    "agents/procurement/spend_replay.py",
    "agents/intake/reply_performer.py",
    "agents/handoff_flows/replay.py",
}
"""Modules that build performers (wiring) or are one; they may import and construct performers."""
WRITE_CALLS_ALLOWED = {
    "agents/intake/reply_performer.py": "a performer (CRMPerformer subclass) behind the Governor",
    "agents/scenario_format.py": "seeds a fresh in-memory FakeDirectory it creates from a scenario file",
    "agents/handoff_flows/replay.py": "seeds (and injects write faults into) a fresh in-memory FakeERP per suite",
}


# --- 1. classification --------------------------------------------------------------------


@pytest.mark.parametrize("protocol", PROTOCOLS, ids=lambda p: p.__name__)
def test_every_protocol_member_is_classified_read_or_write(protocol: type) -> None:
    assert unclassified(protocol) == set(), (
        f"classify {sorted(unclassified(protocol))} in connectors/readonly.py READ_METHODS or WRITE_METHODS"
    )
    assert not READ_METHODS[protocol] & WRITE_METHODS[protocol]
    methods = {name for name, is_method in protocol_members(protocol).items() if is_method}
    assert READ_METHODS[protocol] | WRITE_METHODS[protocol] == methods


def test_the_classification_check_catches_a_new_unclassified_method() -> None:
    from typing import Protocol

    from connectors.erp.protocol import ERPConnector

    class ExtendedERP(ERPConnector, Protocol):
        def wire_money(self, iban: str, amount: Decimal) -> None: ...

    assert unclassified(ExtendedERP) >= {"wire_money"}


@pytest.mark.parametrize(
    ("protocol", "fake"),
    [
        (p, f)
        for p, f in zip(
            PROTOCOLS, (FakeERP.sample, FakeITSM, FakeCRM.sample, FakeDirectory.sample), strict=True
        )
    ],
    ids=lambda x: getattr(x, "__name__", ""),
)
def test_a_view_exposes_exactly_the_reads(protocol: type, fake: Callable[[], Any]) -> None:
    view = read_only(fake(), protocol)
    for name in READ_METHODS[protocol]:
        assert callable(getattr(view, name)), name
    for name in WRITE_METHODS[protocol]:
        assert not hasattr(view, name), name
        with pytest.raises(WriteNotPermittedError, match=f"{name} is a write"):
            getattr(view, name)
    with pytest.raises(AttributeError):
        view.anything = 1
    assert read_only(view, protocol) is view


def test_a_write_through_the_view_leaves_the_erp_untouched() -> None:
    erp = FakeERP.sample()
    order = erp.list_purchase_orders()[0]
    view = read_only_erp(erp)
    with pytest.raises(WriteNotPermittedError):
        view.create_invoice(  # the attack from the issue: post 750,000 from agent code
            InvoiceDraft.model_validate(
                {
                    "vendor_id": order.vendor_id,
                    "reference": "EVIL-1",
                    "invoice_date": "2026-01-01",
                    "currency": order.currency,
                    "subtotal": "750000",
                    "tax": "0",
                    "total": "750000",
                    "po_id": order.id,
                    "lines": [],
                }
            )
        )
    assert erp.find_invoice(order.vendor_id, "EVIL-1") is None
    assert view.get_purchase_order(order.id) == order


# --- 2. discovery and the object-graph walk ---------------------------------------------


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _agent_files() -> list[Path]:
    return sorted(p for p in AGENTS.rglob("*.py") if "__pycache__" not in p.parts)


def _annotations(cls: type) -> str:
    try:
        signature = inspect.signature(cls)
    except (TypeError, ValueError):
        return ""
    return " ".join(str(p.annotation) for p in signature.parameters.values())


def _mentions(annotations: str, names: set[str]) -> bool:
    return any(re.search(rf"\b{re.escape(name)}\b", annotations) for name in names)


def discover_agent_classes() -> dict[str, type]:
    """Every class under agents/ whose constructor takes a connector, a Governor, or such a class."""
    classes: dict[str, type] = {}
    for path in _agent_files():
        name = _module_name(path)
        module = importlib.import_module(name)
        for cls in vars(module).values():
            if inspect.isclass(cls) and cls.__module__ == name:
                classes[cls.__qualname__] = cls
    sensitive = set(SENSITIVE)
    found: dict[str, type] = {}
    while True:
        added = {
            qualname: cls
            for qualname, cls in classes.items()
            if qualname not in found and _mentions(_annotations(cls), sensitive)
        }
        if not added:
            break
        found.update(added)
        sensitive |= set(added)
    return {
        qualname: cls
        for qualname, cls in found.items()
        if not issubclass(cls, OperationPerformer)
        and not cls.__module__.endswith(".wiring")
        and qualname not in WRITERS_AND_WIRING
    }


@dataclasses.dataclass
class World:
    """Full-write fakes and a Governor whose performers hold them, as production wires it."""

    erp: FakeERP
    crm: FakeCRM
    itsm: FakeITSM
    directory: FakeDirectory
    governor: Governor
    tmp: Path


def _intake_agent(w: World) -> IntakeAgent:
    return IntakeAgent(
        w.governor,
        IntakeSystems(crm=w.crm, erp=w.erp, crm_system="salesforce", erp_system="sap"),
        load_intake_config(),
    )


def _desk_systems(w: World) -> ServiceDeskSystems:
    return ServiceDeskSystems(
        itsm=w.itsm,
        directory=w.directory,
        itsm_system="servicenow",
        directory_system="okta",
        erp=w.erp,
        erp_system="sap",
    )


def _desk_agent(w: World) -> ServiceDeskAgent:
    config = load_desk_config()
    return ServiceDeskAgent(w.governor, _desk_systems(w), config, knowledge_for(config.knowledge_base))


def _ticket_run(w: World) -> TicketRun:
    ticket = w.itsm.create_ticket(
        NewTicket(
            short_description="locked out",
            description="please unlock",
            caller="beth.anglin",
            business_key="t1",
        )
    )
    record = TicketRecord(
        system="servicenow",
        number=ticket.number,
        reopen_count=0,
        transaction_id="t",
        status="in_progress",
        plan=None,
        attempts=0,
        approval_id=None,
        reasons=(),
        sla_due_at=None,
        finished_at=None,
    )
    agent = _desk_agent(w)
    return TicketRun(agent, ticket, record, agent.transaction("t"))


def _case_work(w: World) -> CaseWork:
    message = InboundMessage(
        channel=Channel.EMAIL, message_id="m1", body="hello", received_at=datetime(2026, 1, 1, tzinfo=UTC)
    )
    return CaseWork(_intake_agent(w), message, "intake-x", "x")


BUILDERS: dict[str, Callable[[World], object]] = {
    "APAgent": lambda w: APAgent(w.governor, w.erp, system="sap"),
    "TicketOutcomeReader": lambda w: TicketOutcomeReader(w.itsm, system="servicenow", service_accounts=()),
    "CaseOutcomeReader": lambda w: CaseOutcomeReader(w.crm, system="salesforce", service_accounts=()),
    "InvoiceOutcomeReader": lambda w: InvoiceOutcomeReader(w.erp, system="sap", service_accounts=()),
    "ThreeWayMatcher": lambda w: ThreeWayMatcher(w.erp, InvoiceRegister()),
    "VendorResolver": lambda w: VendorResolver(w.erp),
    "GovernanceMiddleware": lambda w: GovernanceMiddleware(
        w.governor, directory_operations("okta"), agent="service_desk"
    ),
    "HandoffRouter": lambda w: HandoffRouter(w.governor),
    "DisputeCase": lambda w: DisputeCase(w.erp, "sap"),
    "BankChangeHold": lambda w: BankChangeHold(w.erp, "sap", lambda vendor: []),
    "POFollowUpFromTicket": lambda w: POFollowUpFromTicket(w.erp, "sap", date.today),
    "GovernedTool": lambda w: bound_tools(w.governor, directory_operations("okta"), agent="service_desk")[0],
    "IntakeAgent": _intake_agent,
    "CaseWork": _case_work,
    "OrderBook": lambda w: OrderBook(w.erp),
    "SpendRun": lambda w: SpendRun(
        w.tmp / "in.csv", w.tmp / "out.csv", w.tmp / "review.csv", governor=w.governor
    ),
    "SpendRouter": lambda w: SpendRouter(0.9, ReviewQueue(None), governor=w.governor),
    "ServiceDeskAgent": _desk_agent,
    "TicketRun": _ticket_run,
    "Transaction": lambda w: Transaction("t", "ap_clerk", w.governor, Connections.of(erp="sap")),
    "Lifecycle": lambda w: plan_lifecycle(),
    "Desk": lambda w: Desk(load_desk_config(), _desk_systems(w), None, Reference([], ()), lambda g: False),  # type: ignore[arg-type]
}
"""How to build each discovered class; a class without a builder fails the test below."""


@pytest.fixture
def world(tmp_path: Path, sqlite_url: str) -> World:
    erp, crm, itsm, directory = FakeERP.sample(), FakeCRM.sample(), FakeITSM(), FakeDirectory.sample()
    performers = {"sap": ERPPerformer(erp)}
    governor = Governor(load_policy(POLICY), Store(sqlite_url), performers)
    return World(erp, crm, itsm, directory, governor, tmp_path)


_OURS = ("agents", "connectors", "governance", "mocks", "opspack")


def _children(obj: object) -> Iterator[object]:
    if isinstance(obj, dict):
        yield from obj.keys()
        yield from obj.values()
    elif isinstance(obj, list | tuple | set | frozenset):
        yield from obj
    elif inspect.ismethod(obj):
        yield obj.__self__
    else:
        yield from getattr(obj, "__dict__", {}).values()
        for klass in type(obj).__mro__:
            for slot in getattr(klass, "__slots__", ()):
                if hasattr(obj, slot):
                    yield getattr(obj, slot)


def _connector_like(obj: object) -> bool:
    names = set(dir(type(obj)))
    return any(len(names & READ_METHODS[p]) >= 2 for p in PROTOCOLS)


def reachable(root: object) -> Iterator[tuple[str, object]]:
    """(path, object) for everything agent code reaches by attribute access, stopping at the
    Governor (the trusted boundary that owns the performers) and at read-only views (leaves)."""
    seen: set[int] = set()
    stack: list[tuple[str, object]] = [(type(root).__name__, root)]
    while stack:
        path, obj = stack.pop()
        if id(obj) in seen or obj is None or isinstance(obj, str | bytes | int | float | Decimal | datetime):
            continue
        seen.add(id(obj))
        yield path, obj
        if isinstance(obj, Governor | ReadOnlyView) or inspect.isclass(obj) or inspect.ismodule(obj):
            continue
        module = type(obj).__module__.split(".")[0]
        container = isinstance(obj, dict | list | tuple | set | frozenset) or inspect.ismethod(obj)
        if obj is not root and module not in _OURS and not container:
            continue
        for index, child in enumerate(_children(obj)):
            stack.append((f"{path}/{type(child).__name__}#{index}", child))


def test_discovery_finds_todays_agents() -> None:
    found = discover_agent_classes()
    assert {"APAgent", "IntakeAgent", "ServiceDeskAgent", "HandoffRouter", "GovernanceMiddleware"} <= set(
        found
    )
    assert not any(issubclass(cls, OperationPerformer) for cls in found.values())


def test_no_write_method_is_reachable_from_any_agent(world: World) -> None:
    found = discover_agent_classes()
    missing = sorted(set(found) - set(BUILDERS))
    assert not missing, (
        f"new agent classes {missing} take connectors: add a builder here to prove least privilege"
    )
    writes = all_write_methods()
    for qualname, cls in found.items():
        agent = BUILDERS[qualname](world)
        assert isinstance(agent, cls)
        views = 0
        for path, obj in reachable(agent):
            assert not isinstance(obj, OperationPerformer), f"{qualname}: a performer is reachable at {path}"
            if isinstance(obj, ReadOnlyView):
                views += 1
                assert not any(hasattr(obj, name) for name in writes), f"{qualname}: {path} exposes a write"
            elif _connector_like(obj):
                exposed = sorted(name for name in writes if callable(getattr(obj, name, None)))
                assert not exposed, f"{qualname}: {path} ({type(obj).__name__}) exposes writes {exposed}"
        takes_connector = _mentions(
            _annotations(cls),
            {
                *SENSITIVE - {"Governor", "ActionSubmitter"},
                *WRITERS_AND_WIRING,
                "IntakeAgent",
                "ServiceDeskAgent",
            },
        )
        if takes_connector:
            assert views, f"{qualname} was given connectors but holds no read-only view"


def test_the_walk_would_catch_a_full_connector(world: World) -> None:
    class Leaky:
        def __init__(self, erp: FakeERP) -> None:
            self.helpers = {"erp": [erp]}

    leaked = [path for path, obj in reachable(Leaky(world.erp)) if isinstance(obj, FakeERP)]
    assert leaked and _connector_like(world.erp)


# --- 3. static check ------------------------------------------------------------------------


def _violations(path: Path) -> list[str]:
    return _violations_in(path.read_text(encoding="utf-8"), path.relative_to(ROOT).as_posix())


def _violations_in(source: str, relative: str) -> list[str]:
    if relative.startswith("agents/performers/"):
        return []
    wiring = relative.endswith("/wiring.py") or relative in WIRING_MODULES
    writes = all_write_methods()
    found: list[str] = []
    for node in ast.walk(ast.parse(source)):
        where = f"{relative}:{getattr(node, 'lineno', 0)}"
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in writes
            and relative not in WRITE_CALLS_ALLOWED
        ):
            found.append(f"{where} calls write method {node.func.attr}()")
        if isinstance(node, ast.Attribute) and (
            node.attr in ("performers", "_performers") or "__target" in node.attr
        ):
            found.append(f"{where} reaches .{node.attr}")
        if (
            isinstance(node, ast.Attribute)
            and node.attr == "connector"
            and relative != "agents/intake/reply_performer.py"
        ):
            found.append(f"{where} reaches a performer's .connector")
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("getattr", "setattr")
            and len(node.args) >= 2
            and isinstance(node.args[1], ast.Constant)
            and (node.args[1].value in writes or "__target" in str(node.args[1].value))
        ):
            found.append(f"{where} getattr of {node.args[1].value!r}")
        if (
            not wiring
            and isinstance(node, ast.ImportFrom)
            and (node.module or "").startswith("agents.performers")
        ):
            found.append(f"{where} imports performers (only wiring modules may)")
        if (
            isinstance(node, ast.Name)
            and node.id in ("performers_factory", "_performers_factory")
            and not wiring
        ):
            found.append(f"{where} uses the performers factory")
    return found


def test_agent_modules_never_call_a_write_method() -> None:
    problems = [problem for path in _agent_files() for problem in _violations(path)]
    assert problems == []


def test_the_static_check_catches_a_write_call() -> None:
    sneaky = (
        "from agents.performers.erp import ERPPerformer\n"
        "def pay(agent):\n"
        "    agent.erp.schedule_payment('INV-1', payment_date=None)\n"
        "    agent.governor.performers['sap'].connector.create_invoice(None)\n"
        "    getattr(agent.erp, 'create_invoice')(None)\n"
    )
    problems = _violations_in(sneaky, "agents/ap/probe.py")
    assert len(problems) == 6, problems
