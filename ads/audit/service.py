"""Writing audit entries, in the caller's transaction, from snapshots of changed fields."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from enum import Enum
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from ads.audit.models import AuditEntry
from ads.auth import policy
from ads.auth.principal import Principal

JsonValue = str | int | bool | None | dict[str, Any] | list[Any]

#: Every kind of object the trail records (the model class names); the GraphQL
#: `ChangeSubjectType` enum has a value for each, so any entry can be read back.
SUBJECT_TYPES = frozenset({"Advertiser", "Campaign", "AdGroup", "Ad", "LedgerEntry"})


def json_value(value: Any) -> JsonValue:
    """Audit values are JSON; money stays an exact integer, times are ISO 8601 UTC."""
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (dict, list, str, int, bool)) or value is None:
        return value
    return str(value)


def snapshot(entity: Any, fields: Iterable[str]) -> dict[str, JsonValue]:
    return {name: json_value(getattr(entity, name)) for name in fields}


def record(
    session: Session,
    principal: Principal,
    *,
    action: str,
    entity_type: str,
    entity_id: int,
    advertiser_id: int | None,
    before: dict[str, JsonValue] | None,
    after: dict[str, JsonValue] | None,
) -> AuditEntry | None:
    """Add an entry with only the fields that changed; nothing when nothing changed.

    An entry of a kind outside SUBJECT_TYPES is refused: the history could not show it.
    """
    if entity_type not in SUBJECT_TYPES:
        raise ValueError(f"{entity_type} is not an audited kind (see SUBJECT_TYPES)")
    if before is not None and after is not None:
        changed = [k for k in after if before.get(k) != after[k]]
        if not changed:
            return None
        before = {k: before.get(k) for k in changed}
        after = {k: after[k] for k in changed}
    entry = AuditEntry(
        actor=principal.actor,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        advertiser_id=advertiser_id,
        before=before,
        after=after,
    )
    session.add(entry)
    return entry


def history_query(principal: Principal, *, entity_type: str | None = None) -> Select[AuditEntry]:
    """Audit entries the caller may read (its advertisers' only); the caller adds the rest.

    Entries without an advertiser (none are written today) are visible to unscoped
    roles only, so a tenant never reads a line it does not own.
    """
    query = policy.scoped(select(AuditEntry), principal, AuditEntry.advertiser_id)
    if entity_type is not None:
        query = query.where(AuditEntry.entity_type == entity_type)
    return query
