"""`SalesforceAdapter`: the `CRMConnector` over the Salesforce REST API (sObjects + SOQL).

Reads use SOQL (``/query?q=``, following ``nextRecordsUrl``) or ``GET /sobjects/X/{id}``; writes use
``POST`` (201 ``{id, success, errors}``) and ``PATCH`` (204), then read the record back so callers
get server-assigned fields (CaseNumber, CreatedDate). Case ownership by queue is resolved through
the org's ``Group`` records (``Type = 'Queue'``). Every response's ``Sforce-Limit-Info`` header is
kept in `api_usage`.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Self

import requests

from connectors.auth import BearerToken, OAuth2ClientCredentials, OAuth2JWTBearer, OAuth2PasswordGrant
from connectors.crm.models import (
    Account,
    AccountOverview,
    Case,
    CaseComment,
    CaseStatus,
    CaseUpdate,
    Contact,
    ContactUpdate,
    NewCase,
    name_matches,
    query_words,
)
from connectors.errors import (
    ConfigurationError,
    NotFoundError,
    RejectedError,
)
from connectors.http import VendorHttp
from connectors.salesforce import soql
from connectors.salesforce.records import (
    COMMENT_FIELDS,
    CONTACT_FIELDS,
    VENDOR,
    RecordMapper,
    SalesforceOptions,
)
from connectors.salesforce.rest import SalesforceRest
from connectors.salesforce.wire import envelope_error, parse_error

if TYPE_CHECKING:
    from requests.auth import AuthBase

    from connectors.registry import ConnectionConfig


class SalesforceAdapter:
    """Accounts, contacts, cases and case comments in a Salesforce org."""

    kind: ClassVar[str] = "crm"
    vendor: ClassVar[str] = VENDOR

    def __init__(self, http: VendorHttp, options: SalesforceOptions | None = None) -> None:
        self.http = http
        self.options = options or SalesforceOptions()
        self.records = RecordMapper(self.options)
        self.rest = SalesforceRest(http, self.options.api_version)
        self._queues: dict[str, str] | None = None
        self._queues_lock = threading.Lock()
        self._user_names: dict[str, str] = {}

    @classmethod
    def connect(
        cls,
        base_url: str,
        auth: AuthBase,
        *,
        session: requests.Session | None = None,
        options: SalesforceOptions | None = None,
        **http_options: Any,
    ) -> Self:
        """An adapter on its own `VendorHttp` with Salesforce's error reading wired in."""
        http = VendorHttp(
            VENDOR,
            base_url,
            session=session,
            auth=auth,
            error_parser=parse_error,
            envelope_error=envelope_error,
            **http_options,
        )
        return cls(http, options)

    @classmethod
    def from_config(
        cls, connection: ConnectionConfig, credentials: Mapping[str, str], session: requests.Session | None
    ) -> Self:
        """Credentials: ``access_token``; or ``client_id`` + ``client_secret`` (client credentials
        flow), plus ``username`` + ``password`` for the password flow; or ``client_id`` +
        ``private_key`` (PEM) + ``username`` for the JWT-bearer flow (audience: option ``login_url``)."""
        token_url = "/services/oauth2/token"
        options = SalesforceOptions.from_mapping(dict(connection.options or {}))
        auth: AuthBase
        if "access_token" in credentials:
            auth = BearerToken(credentials["access_token"])
        elif {"client_id", "private_key", "username"} <= set(credentials):
            auth = OAuth2JWTBearer(
                token_url,
                credentials["client_id"],
                credentials["private_key"],
                subject=credentials["username"],
                audience=options.login_url,
            )
        elif {"client_id", "client_secret", "username", "password"} <= set(credentials):
            auth = OAuth2PasswordGrant(
                token_url,
                credentials["client_id"],
                credentials["client_secret"],
                credentials["username"],
                credentials["password"],
            )
        elif {"client_id", "client_secret"} <= set(credentials):
            auth = OAuth2ClientCredentials(token_url, credentials["client_id"], credentials["client_secret"])
        else:
            raise ConfigurationError(
                "Salesforce credentials need access_token, client_id and client_secret, "
                "or client_id, private_key and username "
                f"(got keys: {', '.join(sorted(credentials)) or 'none'})",
                vendor=VENDOR,
            )
        return cls.connect(connection.base_url, auth, session=session, options=options)

    @property
    def api_usage(self) -> tuple[int, int] | None:
        """(used, limit) of the org's daily API requests, from the last ``Sforce-Limit-Info`` seen."""
        return self.rest.api_usage

    # -- accounts ---------------------------------------------------------------------------------

    def get_account(self, account_id: str) -> Account:
        return self.records.account(self.rest.get_record("Account", account_id, self.records.account_fields))

    def find_account_by_number(self, account_number: str) -> Account | None:
        rows = self.rest.query_all(
            soql.select(
                self.records.account_fields,
                "Account",
                [f"AccountNumber = {soql.quote(account_number.strip())}"],
                order_by="Id",
                limit=1,
            )
        )
        return self.records.account(rows[0]) if rows else None

    def find_accounts_by_name(self, name: str, *, limit: int = 20) -> list[Account]:
        rows = self._name_search("Account", self.records.account_fields, name)
        found = [a for a in map(self.records.account, rows) if name_matches(name, a.name)]
        return sorted(found, key=lambda a: (a.name, a.id))[:limit]

    def find_account_by_email(self, email: str) -> Account | None:
        contact = self.find_contact_by_email(email)
        if contact is None or contact.account_id is None:
            return None
        return self.get_account(contact.account_id)

    def get_account_overview(self, account_id: str, *, recent: int = 5) -> AccountOverview:
        account = self.get_account(account_id)
        cases: list[Case] = []
        if recent > 0:
            rows = self.rest.query_all(
                soql.select(
                    self.records.case_fields,
                    "Case",
                    [f"AccountId = {soql.quote(account.id)}"],
                    order_by="CreatedDate DESC, Id DESC",
                    limit=recent,
                )
            )
            cases = [self._case(row) for row in rows]
        return AccountOverview(account=account, recent_cases=tuple(cases))

    # -- contacts ---------------------------------------------------------------------------------

    def get_contact(self, contact_id: str) -> Contact:
        return self.records.contact(self.rest.get_record("Contact", contact_id, CONTACT_FIELDS))

    def find_contact_by_email(self, email: str) -> Contact | None:
        # SOQL '=' on text is case-insensitive, as the Protocol requires.
        rows = self.rest.query_all(
            soql.select(
                CONTACT_FIELDS, "Contact", [f"Email = {soql.quote(email.strip())}"], order_by="Id", limit=1
            )
        )
        return self.records.contact(rows[0]) if rows else None

    def find_contacts_by_name(self, name: str, *, limit: int = 20) -> list[Contact]:
        rows = self._name_search("Contact", CONTACT_FIELDS, name)
        found = [c for c in map(self.records.contact, rows) if name_matches(name, c.full_name)]
        return sorted(found, key=lambda c: (c.full_name, c.id))[:limit]

    def update_contact(self, contact_id: str, update: ContactUpdate) -> Contact:
        changes: dict[str, Any] = {}
        if update.phone is not None:
            changes["Phone"] = update.phone
        if update.mailing_address is not None:
            address = update.mailing_address
            changes.update(
                MailingStreet=address.street,
                MailingCity=address.city,
                MailingState=address.region,
                MailingPostalCode=address.postal_code,
                MailingCountry=address.country,
            )
        if changes:
            self.rest.patch("Contact", contact_id, changes)
        return self.get_contact(contact_id)

    # -- cases ------------------------------------------------------------------------------------

    def get_case(self, case_id: str) -> Case:
        return self._case(self.rest.get_record("Case", case_id, self.records.case_fields))

    def find_case_by_number(self, number: str) -> Case | None:
        return self._find_case(f"CaseNumber = {soql.quote(number.strip())}")

    def find_case_by_business_key(self, business_key: str) -> Case | None:
        return self._find_case(f"{self.options.business_key_field} = {soql.quote(business_key)}")

    def create_case(self, new_case: NewCase) -> Case:
        record: dict[str, Any] = {
            "Subject": new_case.subject,
            "Description": new_case.description,
            "Status": self.records.status_value(CaseStatus.NEW),
            "Priority": self.records.priority_value(new_case.priority),
            "Origin": self.records.origin_value(new_case.origin) if new_case.origin else None,
            "AccountId": new_case.account_id,
            "ContactId": new_case.contact_id,
        }
        if new_case.owner_queue is not None:
            record["OwnerId"] = self._queue_id(new_case.owner_queue)
        if new_case.business_key is not None:
            record[self.options.business_key_field] = new_case.business_key
        created = self.rest.create("Case", {k: v for k, v in record.items() if v is not None})
        return self.get_case(created)

    def update_case(self, case_id: str, update: CaseUpdate) -> Case:
        changes: dict[str, Any] = {}
        if update.status is not None:
            changes["Status"] = self.records.status_value(update.status)
        if update.priority is not None:
            changes["Priority"] = self.records.priority_value(update.priority)
        if update.description is not None:
            changes["Description"] = update.description
        if update.owner_queue is not None:
            changes["OwnerId"] = self._queue_id(update.owner_queue)
        if changes:
            self.rest.patch("Case", case_id, changes)
        return self.get_case(case_id)

    def add_case_comment(self, case_id: str, body: str, *, public: bool = False) -> CaseComment:
        endpoint = f"POST {self.rest.api_root}/sobjects/CaseComment"
        if not body.strip():
            raise RejectedError("comment body is empty", vendor=VENDOR, endpoint=endpoint)
        try:
            created = self.rest.create(
                "CaseComment", {"ParentId": case_id, "CommentBody": body, "IsPublished": public}
            )
        except RejectedError as exc:
            if exc.code in ("INVALID_CROSS_REFERENCE_KEY", "MALFORMED_ID", "FIELD_INTEGRITY_EXCEPTION"):
                # ParentId is the only reference on a CaseComment: the case does not exist.
                raise NotFoundError(
                    f"no case {case_id!r}: {exc.reason}",
                    vendor=VENDOR,
                    endpoint=endpoint,
                    status=exc.status,
                    code=exc.code,
                ) from None
            raise
        return self.records.comment(self.rest.get_record("CaseComment", created, COMMENT_FIELDS))

    def list_case_comments(self, case_id: str) -> list[CaseComment]:
        self.rest.get_record("Case", case_id, ("Id",))
        rows = self.rest.query_all(
            soql.select(
                COMMENT_FIELDS,
                "CaseComment",
                [f"ParentId = {soql.quote(case_id)}"],
                order_by="CreatedDate ASC, Id ASC",
            )
        )
        return [self.records.comment(row) for row in rows]

    # -- translation and lookups ----------------------------------------------------------------

    def _name_search(self, sobject: str, fields: tuple[str, ...], name: str) -> list[dict[str, Any]]:
        words = query_words(name)
        if not words:
            return []
        where = [f"Name LIKE {soql.quote_like(word)}" for word in words]
        return self.rest.query_all(soql.select(fields, sobject, where, order_by="Name ASC, Id ASC"))

    def _find_case(self, condition: str) -> Case | None:
        rows = self.rest.query_all(
            soql.select(self.records.case_fields, "Case", [condition], order_by="Id", limit=1)
        )
        return self._case(rows[0]) if rows else None

    def _case(self, record: Mapping[str, Any]) -> Case:
        return self.records.case(record, self._queue_name, self._user_name)

    def _user_name(self, user_id: str | None) -> str | None:
        """A user's ``Username`` (the login people are known by), read once per user id."""
        if not user_id:
            return None
        if user_id not in self._user_names:
            self._user_names[user_id] = str(
                self.rest.get_record("User", user_id, ("Id", "Username"))["Username"]
            )
        return self._user_names[user_id]

    def _queue_id(self, name: str) -> str:
        queues = self._load_queues()
        if name not in queues:
            raise RejectedError(
                f"no queue named {name!r} (queues: {', '.join(sorted(queues))})",
                vendor=VENDOR,
                endpoint=f"GET {self.rest.api_root}/query",
            )
        return queues[name]

    def _queue_name(self, owner_id: str | None) -> str | None:
        if owner_id is None or not owner_id.startswith("00G"):
            return None
        by_id = {v: k for k, v in self._load_queues().items()}
        return by_id.get(owner_id) or by_id.get(owner_id[:15])

    def _load_queues(self) -> dict[str, str]:
        with self._queues_lock:
            if self._queues is None:
                rows = self.rest.query_all(
                    soql.select(("Id", "Name"), "Group", ["Type = 'Queue'"], order_by="Name")
                )
                self._queues = {row["Name"]: row["Id"] for row in rows}
            return self._queues
