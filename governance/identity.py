"""Agent identities and the age of their credentials.

Every agent acts under its own identity (from the policy: id, accountable owner) with its own
credentials per system -- never a shared service account, never a person's login. The values live
in a secret provider (`governance.secrets`); this module keeps only *metadata* per (agent, system,
credential): where the secret lives, when opspack first saw it, when and by whom it was last
rotated, and a fingerprint (a keyed-hash prefix, so a changed secret is noticed without the secret
or an offline-guessable hash ever reaching the database). `CredentialRegistry.status` compares the
age with the policy's rotation cadence; `rotate` drives an adapter's `rotate_credential()`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import RowMapping, and_, insert, select, update
from sqlalchemy.exc import IntegrityError

from connectors.rotation import SupportsCredentialRotation
from governance.errors import CredentialError
from governance.identity_model import (
    DEFAULT_FINGERPRINT_KEY_PATH,
    EXTERNAL_ROTATION,
    FINGERPRINT_KEY_ENV,
    AgentIdentity,
    CredentialStatus,
    RotationResult,
    adapter_name,
    as_utc,
    fingerprint,
    identities,
    load_fingerprint_key,
    same_fingerprint_key,
    utc_or_none,
)
from governance.ledger import Ledger, LedgerRecord, serialise_writers
from governance.policy import Policy
from governance.redaction import redact, register_secret
from governance.schema import credentials_table
from governance.secrets import (
    MissingSecretError,
    SecretProvider,
    validate_path,
    writable_provider,
)
from governance.store import Store

__all__ = [
    "DEFAULT_FINGERPRINT_KEY_PATH",
    "EXTERNAL_ROTATION",
    "FINGERPRINT_KEY_ENV",
    "AgentIdentity",
    "CredentialRegistry",
    "CredentialStatus",
    "RotationResult",
    "adapter_name",
    "fingerprint",
    "identities",
    "load_fingerprint_key",
]


class CredentialRegistry:
    """Resolves agents' secrets through a provider and keeps their metadata in the store."""

    def __init__(
        self,
        store: Store,
        provider: SecretProvider,
        *,
        clock: Callable[[], datetime] | None = None,
        fingerprint_key: bytes | None = None,
    ) -> None:
        self.store = store
        self.provider = provider
        self.clock = clock or (lambda: datetime.now(UTC))
        self._key = fingerprint_key

    @property
    def fingerprint_key(self) -> bytes:
        if self._key is None:
            self._key = load_fingerprint_key()
        return self._key

    def _row(self, agent: str, system: str, credential: str) -> RowMapping | None:
        with self.store.connect() as conn:
            row = conn.execute(
                select(credentials_table).where(self._key_clause(agent, system, credential))
            ).first()
        return None if row is None else row._mapping

    @staticmethod
    def _key_clause(agent: str, system: str, credential: str) -> Any:
        t = credentials_table.c
        return and_(t.agent == agent, t.system == system, t.credential == credential)

    def resolve(self, agent: str, system: str, path: str, *, credential: str | None = None) -> str:
        """The secret at `path` for `agent` on `system`; records when it was first seen, and notices a
        value changed outside opspack (counted as a rotation by ``external``)."""
        path = validate_path(path)
        name = credential or path.rsplit("/", 1)[-1]
        value = self.provider.get(path)
        register_secret(value)
        self._observe(agent, system, name, path, fingerprint(value, self.fingerprint_key))
        return value

    def _observe(self, agent: str, system: str, name: str, path: str, print_: str) -> None:
        now = self.clock()
        existing = self._row(agent, system, name)
        if existing is None:
            try:
                with self.store.begin() as conn:
                    conn.execute(
                        insert(credentials_table).values(
                            agent=agent,
                            system=system,
                            credential=name,
                            secret_path=path,
                            first_seen_at=now,
                            fingerprint=print_,
                        )
                    )
                return
            except IntegrityError:  # another process recorded it first: compare with theirs
                existing = self._row(agent, system, name)
                if existing is None:
                    raise
        if existing["fingerprint"] == print_ and existing["secret_path"] == path:
            return
        changes: dict[str, Any] = {"secret_path": path, "fingerprint": print_}
        if existing["fingerprint"] != print_ and same_fingerprint_key(existing["fingerprint"], print_):
            changes.update(rotated_at=now, rotated_by=EXTERNAL_ROTATION)
        # with a different fingerprint key the old fingerprint says nothing: re-baseline, keep the age
        with self.store.begin() as conn:
            conn.execute(
                update(credentials_table).where(self._key_clause(agent, system, name)).values(**changes)
            )

    def secrets_for(self, agent: str, system: str) -> Callable[[str], str]:
        """The ``secrets`` callable for `connectors.registry.build_connector`: accepts a path or a
        ``secret:<path>`` reference and resolves it on behalf of `agent` on `system`."""

        def resolve(reference: str) -> str:
            return self.resolve(agent, system, reference)

        return resolve

    def records(self, agent: str | None = None) -> list[RowMapping]:
        query = select(credentials_table).order_by(
            credentials_table.c.agent, credentials_table.c.system, credentials_table.c.credential
        )
        if agent is not None:
            query = query.where(credentials_table.c.agent == agent)
        with self.store.connect() as conn:
            return [row._mapping for row in conn.execute(query)]

    def status(self, policy: Policy, now: datetime | None = None) -> list[CredentialStatus]:
        """Every credential's age against its cadence, plus cadences with no credential seen yet
        and credentials of agents the policy no longer declares (candidates for deprovisioning)."""
        moment = utc_or_none(now) or self.clock()
        rows_by_key: dict[tuple[str, str], list[RowMapping]] = {}
        for row in self.records():
            rows_by_key.setdefault((row["agent"], row["system"]), []).append(row)
        keys = set(rows_by_key)
        for name, agent in policy.agents.items():
            keys.update((name, system) for system in agent.credentials)
        result: list[CredentialStatus] = []
        for agent_name, system in sorted(keys):
            declared = policy.agents.get(agent_name)
            cadence = declared.credentials.get(system) if declared else None
            identity = declared.identity.id if declared else None
            rows = rows_by_key.get((agent_name, system), [])
            if not rows:
                days = cadence.rotation_days if cadence else None
                result.append(CredentialStatus(agent_name, system, identity, days, "never_seen"))
                continue
            for row in rows:
                result.append(
                    self._row_status(
                        row,
                        moment,
                        identity,
                        cadence.rotation_days if cadence else None,
                        in_policy=declared is not None,
                    )
                )
        return result

    @staticmethod
    def _row_status(
        row: RowMapping, now: datetime, identity: str | None, cadence: int | None, *, in_policy: bool
    ) -> CredentialStatus:
        rotated_at = utc_or_none(row["rotated_at"])
        since = rotated_at or as_utc(row["first_seen_at"])
        age = (now - since).total_seconds() / 86400
        due = since + timedelta(days=cadence) if cadence else None
        overdue = due is not None and now > due
        if not in_policy:
            state = "not_in_policy"
        elif cadence is None:
            state = "no_cadence"
        else:
            state = "overdue" if overdue else "ok"
        return CredentialStatus(
            agent=row["agent"],
            system=row["system"],
            credential=row["credential"],
            secret_path=row["secret_path"],
            identity=identity,
            age_days=age,
            rotation_days=cadence,
            due_at=due,
            overdue=overdue,
            state=state,
            rotated_at=rotated_at,
            rotated_by=row["rotated_by"],
            fingerprint=row["fingerprint"],
        )

    def rotate(
        self,
        agent: str,
        system: str,
        connector: object,
        *,
        secret_paths: Mapping[str, str] | None = None,
        actor: str = "opspack",
    ) -> RotationResult:
        """Have the adapter issue a new secret, store it, record the rotation (never the secret).

        `secret_paths` maps credential names to secret paths (from the connections file); without
        an entry, the path recorded for that credential is used, else ``<system>/<agent>/<name>``.
        Everything that can be checked is checked *before* the vendor is asked to rotate, because
        after that the old secret may already be dead.
        """
        name_of_adapter = adapter_name(connector)
        if not isinstance(connector, SupportsCredentialRotation):
            raise CredentialError(f"rotation not supported by adapter {name_of_adapter}")
        target = writable_provider(self.provider)
        if target is None:
            raise CredentialError(
                f"cannot rotate {agent}/{system}: no writable secret provider ({self.provider.describe()}); "
                "nothing was changed"
            )
        paths = {key: validate_path(value) for key, value in (secret_paths or {}).items()}
        rotated = connector.rotate_credential()
        register_secret(rotated.new_secret)
        existing = self._row(agent, system, rotated.name)
        path = paths.get(rotated.name) or (
            existing["secret_path"] if existing else f"{system}/{agent}/{rotated.name}"
        )
        try:
            target.set(path, rotated.new_secret)
        except Exception as exc:
            raise CredentialError(
                f"{name_of_adapter} issued a new {rotated.name!r} for {agent} on {system}, but storing it at "
                f"{path!r} in {target.describe()} failed ({redact(str(exc))}); the previous secret may no "
                "longer work: re-issue the credential in the vendor console"
            ) from None
        result = RotationResult(
            agent=agent,
            system=system,
            credential=rotated.name,
            path=path,
            adapter=name_of_adapter,
            rotated_at=utc_or_none(rotated.rotated_at) or self.clock(),
            fingerprint=fingerprint(rotated.new_secret, self.fingerprint_key),
            previous_fingerprint=existing["fingerprint"] if existing else None,
            stored_in=target.describe(),
        )
        record = self._record_rotation(result, actor, existing)
        return replace(
            result, ledger_record=record.id, warning=self._shadow_warning(path, result.fingerprint, target)
        )

    def _record_rotation(
        self, result: RotationResult, actor: str, existing: RowMapping | None
    ) -> LedgerRecord:
        """Metadata and the ``credential_rotated`` ledger record commit together or not at all."""
        key = (result.agent, result.system, result.credential)
        values = {
            "secret_path": result.path,
            "fingerprint": result.fingerprint,
            "rotated_at": result.rotated_at,
            "rotated_by": actor,
        }
        payload = {k: v for k, v in result.to_json().items() if k not in ("ledger_record", "warning")}
        ledger = Ledger(self.store)
        with self.store.begin() as conn:
            serialise_writers(conn, "credential:" + "/".join(key))  # one rotation of a credential at a time
            if existing is None:
                conn.execute(
                    insert(credentials_table).values(
                        agent=key[0],
                        system=key[1],
                        credential=key[2],
                        first_seen_at=result.rotated_at,
                        **values,
                    )
                )
            else:
                conn.execute(update(credentials_table).where(self._key_clause(*key)).values(**values))
            transaction_id = "credential-rotation:" + ":".join(key) + f":{result.rotated_at.isoformat()}"
            return ledger.append(
                transaction_id,
                "credential_rotated",
                payload,
                agent=result.agent,
                actor=actor,
                connection=conn,
            )

    def _shadow_warning(self, path: str, new_print: str, target: SecretProvider) -> str | None:
        """Rotation writes to the writable provider; an earlier one in a chain may still win."""
        try:
            effective = self.provider.get(path)
        except MissingSecretError:
            return f"the new secret was stored in {target.describe()} but {path!r} does not resolve to it"
        if fingerprint(effective, self.fingerprint_key) == new_print:
            return None
        return (
            f"the new secret was stored in {target.describe()}, but {path!r} still resolves to the old value "
            f"from an earlier provider ({self.provider.describe()}); remove that override (for the "
            "environment: unset the OPSPACK_SECRET_* variable) or update it"
        )
