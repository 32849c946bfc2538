"""Tickets as `Case`s: the HubSpot portal's stage, team and owner lookups, and the translation.

Case statuses map to stages of the configured ticket pipeline by stage label, queues to teams by
name, and a closure to the person (owner e-mail) or app that moved the ticket to its closed stage,
read from the stage's property history. The lookups are read once per adapter and cached.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from connectors.crm.models import Case, CaseOrigin, CasePriority, CaseStatus
from connectors.errors import ConfigurationError, RejectedError
from connectors.hubspot import records
from connectors.hubspot.objects import HubSpotObjects
from connectors.hubspot.records import VENDOR, HubSpotOptions

__all__ = ["PortalTickets"]


class PortalTickets:
    """Reads tickets into `Case`s and resolves statuses and queues to the portal's ids."""

    def __init__(self, objects: HubSpotObjects, options: HubSpotOptions) -> None:
        self.objects = objects
        self.options = options
        self._stages: dict[str, str] | None = None
        self._teams: dict[str, str] | None = None
        self._user_emails: dict[int, str] | None = None
        self._lookup_lock = threading.Lock()

    def case(self, obj: Mapping[str, Any], account_id: str | None, contact_id: str | None) -> Case:
        p = records.props(obj)
        stage = records.text(p, "hs_pipeline_stage")
        statuses = {v: k for k, v in self.stages().items()}
        priorities = {v: CasePriority(k) for k, v in self.options.priority_values.items()}
        origins = {v: CaseOrigin(k) for k, v in self.options.origin_values.items()}
        teams = {v: k for k, v in self.teams().items()}
        origin = origins.get(records.text(p, "source_type") or "")
        status = CaseStatus(statuses.get(stage or "", CaseStatus.WORKING.value))
        closed_at, closed_by = self._closure(obj, stage) if status is CaseStatus.CLOSED else (None, None)
        return Case(
            id=obj["id"],
            number=obj["id"],
            subject=records.text(p, "subject") or "",
            description=records.text(p, "content"),
            status=status,
            priority=priorities.get(records.text(p, "hs_ticket_priority") or "", CasePriority.MEDIUM),
            origin=origin,
            account_id=account_id,
            contact_id=contact_id,
            owner_queue=teams.get(records.text(p, "hubspot_team_id") or ""),
            business_key=records.text(p, self.options.business_key_property),
            created_at=records.parse_datetime(str(obj.get("createdAt") or records.text(p, "createdate"))),
            closed_at=closed_at,
            closed_by=closed_by,
        )

    def _closure(self, obj: Mapping[str, Any], stage: str | None) -> tuple[datetime | None, str | None]:
        """When and by whom a closed ticket was moved to its closed stage, from the stage's history.

        A person's change (``CRM_UI``) names them by ``updatedByUserId``, read as the owner's e-mail;
        an app's change is ``integration:<app id>``. Only reads that asked for the history (``get_case``)
        carry it; others leave both None.
        """
        history = (obj.get("propertiesWithHistory") or {}).get("hs_pipeline_stage") or []
        entry = next((h for h in history if isinstance(h, dict) and h.get("value") == stage), None)
        if entry is None:
            return None, None
        closed_date = records.text(records.props(obj), "closed_date")
        when = records.parse_datetime(str(closed_date or entry.get("timestamp")))
        user = entry.get("updatedByUserId")
        if user is not None:
            return when, self._user_email(int(user))
        return when, f"integration:{entry.get('sourceId') or entry.get('sourceType') or 'unknown'}"

    def _user_email(self, user_id: int) -> str:
        with self._lookup_lock:
            if self._user_emails is None or user_id not in self._user_emails:
                self._user_emails = self.objects.owner_emails_by_user_id()
            return self._user_emails.get(user_id, f"hubspot-user:{user_id}")

    def stage_id(self, status: CaseStatus) -> str:
        return self.stages()[status.value]

    def team_id(self, queue: str) -> str:
        teams = self.teams()
        if queue not in teams:
            raise RejectedError(
                f"no team (queue) named {queue!r} (teams: {', '.join(sorted(teams))})",
                vendor=VENDOR,
                endpoint="GET /crm/v3/owners",
            )
        return teams[queue]

    def stages(self) -> dict[str, str]:
        """Case status → stage id of the configured pipeline, matched by stage label (cached)."""
        with self._lookup_lock:
            if self._stages is None:
                by_label = self.objects.stage_ids_by_label(self.options.pipeline_id)
                missing = [label for label in self.options.stage_labels.values() if label not in by_label]
                if missing:
                    raise ConfigurationError(
                        f"ticket pipeline {self.options.pipeline_id!r} has no stage labelled "
                        f"{', '.join(map(repr, missing))} (stages: {', '.join(sorted(by_label))}); "
                        "set options.stage_labels",
                        vendor=VENDOR,
                        endpoint=f"GET /crm/v3/pipelines/tickets/{self.options.pipeline_id}",
                    )
                self._stages = {
                    status: by_label[label] for status, label in self.options.stage_labels.items()
                }
            return self._stages

    def teams(self) -> dict[str, str]:
        with self._lookup_lock:
            if self._teams is None:
                self._teams = self.objects.team_ids_by_name()
            return self._teams
