"""Read-only views of connectors: what agents hold, so agent code cannot write around the Governor.

An agent reads systems directly (a read changes nothing) but every write must be an `Action`
through `Governor.submit`, performed by a performer (`agents/performers`) that alone holds the
full connector. A view exposes exactly the Protocol's read methods; a write method is absent
from the view and asking for it raises `WriteNotPermittedError` (an `AttributeError`, so
`hasattr(view, "create_invoice")` is False) naming the method and the way to do it instead.

Every method of every Protocol is classified here as a read or a write, explicitly. A method
added to a Protocol without a classification is a test failure
(tests/security/test_least_privilege.py), never a silent grant: `read_only` refuses to build a
view of a Protocol with unclassified methods.

The view keeps the wrapped connector in a name-mangled slot and defines no attribute that returns
it; Python cannot hide an object from code determined to dig (``gc.get_referents``), so the
guarantee is completed by a static check that agent modules never call a write method or reach
into a view's private slot.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any, TypeVar, cast

from connectors.crm.protocol import CRMConnector
from connectors.directory.protocol import DirectoryConnector
from connectors.erp.protocol import BillingERP, ERPConnector, PayablesERP, SalesERP, SpendERP
from connectors.errors import ConnectorLayerError
from connectors.itsm.protocol import ITSMConnector

C = TypeVar("C")
E = TypeVar("E", bound=PayablesERP | SpendERP | SalesERP | BillingERP)

READ_METHODS: dict[type, frozenset[str]] = {
    ERPConnector: frozenset(
        {
            "get_vendor",
            "search_vendors",
            "get_purchase_order",
            "list_purchase_orders",
            "list_goods_receipts",
            "get_invoice",
            "find_invoice",
            "find_payment_for_invoice",
            "list_spend_lines",
            "get_sales_order",
            "list_sales_orders",
            "list_deliveries",
            "find_credit_memo",
            "list_credit_memos",
            "get_customer_invoice",
            "list_customer_invoices",
            "get_invoice_copy",
            "list_subscriptions",
            "get_subscription",
        }
    ),
    ITSMConnector: frozenset(
        {
            "list_open_tickets",
            "search_tickets",
            "get_ticket",
            "find_ticket",
            "list_catalog_items",
            "get_catalog_request",
            "find_catalog_request",
            "get_user",
        }
    ),
    CRMConnector: frozenset(
        {
            "get_account",
            "find_account_by_number",
            "find_accounts_by_name",
            "find_account_by_email",
            "get_account_overview",
            "get_contact",
            "find_contact_by_email",
            "find_contacts_by_name",
            "get_case",
            "find_case_by_number",
            "find_case_by_business_key",
            "list_case_comments",
        }
    ),
    DirectoryConnector: frozenset({"find_user", "get_user", "list_groups", "user_groups", "is_member"}),
}
"""Methods that only read: safe in agent hands."""

WRITE_METHODS: dict[type, frozenset[str]] = {
    ERPConnector: frozenset(
        {
            "update_vendor_bank_account",
            "block_vendor",
            "update_vendor_tax_id",
            "set_purchase_order_status",
            "create_invoice",
            "hold_invoice",
            "release_invoice",
            "schedule_payment",
            "set_spend_category",
            "create_credit_memo",
            "cancel_subscription",
        }
    ),
    ITSMConnector: frozenset(
        {
            "create_ticket",
            "add_comment",
            "add_work_note",
            "assign_to_group",
            "resolve_ticket",
            "close_ticket",
            "create_catalog_request",
        }
    ),
    CRMConnector: frozenset({"update_contact", "create_case", "update_case", "add_case_comment"}),
    DirectoryConnector: frozenset({"reset_password", "unlock", "add_member", "remove_member"}),
}
"""Methods that change the system: only performers behind the Governor may call them."""

READ_ATTRIBUTES: dict[type, frozenset[str]] = {
    CRMConnector: frozenset({"kind"}),
    DirectoryConnector: frozenset({"kind"}),
}
"""Non-method Protocol members a view passes through (constants such as ``kind``)."""

PROTOCOLS: tuple[type, ...] = (ERPConnector, ITSMConnector, CRMConnector, DirectoryConnector)


class WriteNotPermittedError(ConnectorLayerError, AttributeError):
    """Agent code asked a read-only view for a write method."""


class UnclassifiedMethodError(ConnectorLayerError, TypeError):
    """A Protocol member is neither a read nor a write here: classify it before it can be used."""


def protocol_members(protocol: type) -> dict[str, bool]:
    """Every public member the Protocol declares, mapped to whether it is a method."""
    members: dict[str, bool] = {}
    for klass in protocol.__mro__:
        if klass is object or klass.__name__ in ("Protocol", "Generic"):
            continue
        for name, value in vars(klass).items():
            if not name.startswith("_"):
                members.setdefault(name, inspect.isfunction(value))
        for name in getattr(klass, "__annotations__", {}):
            if not name.startswith("_"):
                members.setdefault(name, False)
    return members


def unclassified(protocol: type) -> set[str]:
    """Members of `protocol` classified neither as read nor write (must be empty)."""
    known = (
        READ_METHODS.get(protocol, frozenset())
        | WRITE_METHODS.get(protocol, frozenset())
        | READ_ATTRIBUTES.get(protocol, frozenset())
    )
    return set(protocol_members(protocol)) - known


def all_write_methods() -> frozenset[str]:
    """Every write method name of every Protocol."""
    return frozenset().union(*WRITE_METHODS.values())


class ReadOnlyView:
    """Base of the generated views; `isinstance(x, ReadOnlyView)` tells a view from a connector."""

    __slots__ = ("_ReadOnlyView__target",)
    protocol: type
    read_methods: frozenset[str]

    def __init__(self, target: object) -> None:
        object.__setattr__(self, "_ReadOnlyView__target", target)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__} is read-only")

    def __getattr__(self, name: str) -> Any:
        # Only reached for names the class does not define: writes and unknown names.
        if name in WRITE_METHODS.get(self.protocol, frozenset()):
            raise WriteNotPermittedError(
                f"{name} is a write on {self.protocol.__name__}; agents hold a read-only view. "
                f"Submit an Action to the Governor; its performer makes the call."
            )
        raise AttributeError(
            f"{type(self).__name__} has no attribute {name!r} (reads: {sorted(self.read_methods)})"
        )

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {type(self.__target).__name__}>"


def _forward(name: str) -> Callable[..., Any]:
    def method(self: ReadOnlyView, *args: Any, **kwargs: Any) -> Any:
        return getattr(self._ReadOnlyView__target, name)(*args, **kwargs)

    method.__name__ = name
    return method


def _attribute(name: str) -> property:
    return property(lambda self: getattr(self._ReadOnlyView__target, name))


def _view_class(protocol: type) -> type[ReadOnlyView]:
    missing = unclassified(protocol)
    if missing:
        raise UnclassifiedMethodError(
            f"{protocol.__name__} members {sorted(missing)} are neither read nor write in connectors/readonly.py"
        )
    reads = READ_METHODS[protocol]
    namespace: dict[str, Any] = {"__slots__": (), "protocol": protocol, "read_methods": reads}
    for name in sorted(reads):
        forward = _forward(name)
        forward.__doc__ = getattr(getattr(protocol, name), "__doc__", None)
        namespace[name] = forward
    for name in READ_ATTRIBUTES.get(protocol, frozenset()):
        namespace[name] = _attribute(name)
    return type(f"ReadOnly{protocol.__name__.removesuffix('Connector')}", (ReadOnlyView,), namespace)


_VIEWS: dict[type, type[ReadOnlyView]] = {}


def view_class(protocol: type) -> type[ReadOnlyView]:
    if protocol not in _VIEWS:
        _VIEWS[protocol] = _view_class(protocol)
    return _VIEWS[protocol]


def read_only(connector: C, protocol: type) -> C:
    """A read-only view of `connector` as `protocol` (idempotent: a view is returned as it is).

    Typed as the connector so reads type-check unchanged; a write raises `WriteNotPermittedError`.
    """
    if isinstance(connector, ReadOnlyView):
        if connector.protocol is not protocol:
            raise TypeError(f"a read-only {connector.protocol.__name__} view is not a {protocol.__name__}")
        return connector
    return cast(C, view_class(protocol)(connector))


def read_only_erp(erp: E) -> E:
    """A read-only view of an ERP, typed as the area Protocol(s) the caller holds it as."""
    return read_only(erp, ERPConnector)


def read_only_itsm(itsm: ITSMConnector) -> ITSMConnector:
    return read_only(itsm, ITSMConnector)


def read_only_crm(crm: CRMConnector) -> CRMConnector:
    return read_only(crm, CRMConnector)


def read_only_directory(directory: DirectoryConnector) -> DirectoryConnector:
    return read_only(directory, DirectoryConnector)
