"""Connection options of the JSM adapter (``options:`` in connections.yaml), all optional.

Custom fields are named as the instance's admins named them (looked up once through
``/rest/api/2/field``) or given by id (``customfield_10070``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from connectors.errors import ConfigurationError
from connectors.itsm.models import CatalogItemKind, CloseCode
from connectors.jsm.wire import DEFAULT_RESOLUTIONS, VENDOR


class JsmOptions(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    deployment: Literal["server", "cloud"] = "server"
    """``cloud``: Jira Cloud (``/rest/api/2/search/jql`` with ``nextPageToken``, users by account id,
    ``user/search?query=``); ``server``: Server/Data Center (``/rest/api/2/search`` with ``startAt``,
    users by user name, ``user/search?username=``)."""
    project_key: str | None = None
    """Which service desk to use; None picks the only one (several desks need it set)."""
    assignment_group_field: str = "Assignment group"
    """Group-picker custom field that holds the owning team (the neutral assignment group)."""
    business_key_field: str = "Correlation ID"
    """Text custom field where created requests store their business key."""
    resolution_notes_field: str = "Resolution notes"
    request_type_field: str = "Customer Request Type"
    default_request_type: str = "Get IT help"
    """Request type for new tickets whose category names no request type."""
    catalog_groups: dict[str, CatalogItemKind] = Field(
        default_factory=lambda: {
            "Software": CatalogItemKind.SOFTWARE,
            "Access": CatalogItemKind.ACCESS,
            "Hardware": CatalogItemKind.HARDWARE,
        }
    )
    """Request-type groups whose request types make up the catalog, and what kind each is."""
    resolutions: dict[CloseCode, str] = Field(default_factory=lambda: dict(DEFAULT_RESOLUTIONS))
    """Close code → the instance's resolution name."""
    use_queues: bool = True
    """List a group's open tickets through the desk queue named after it (JQL search when there is none)."""
    timeout: float | None = None

    @classmethod
    def from_mapping(cls, options: Mapping[str, Any]) -> JsmOptions:
        try:
            return cls.model_validate(dict(options))
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
            raise ConfigurationError(f"invalid JSM options: {problems}", vendor=VENDOR) from None
