"""Audited writes: the one shape of a create and of an update, each audited in its transaction.

A create adds the row and its audit entry together; an update checks the version,
validates the would-be state, applies the fields and audits only what changed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ads.audit.service import record, snapshot
from ads.auth.principal import Principal
from ads.errors import Conflict, Invalid

T = TypeVar("T")
E = TypeVar("E", bound=Any)


def add_created(
    session: Session,
    principal: Principal,
    entity: E,
    *,
    advertiser_id: int | None,
    fields: Iterable[str],
) -> E:
    """Add a new row and its "create" audit entry (the fields' values); the caller commits.

    `advertiser_id` is the tenant the row belongs to; None when the row is the
    advertiser itself (its id exists only once the row is flushed).
    """
    session.add(entity)
    session.flush()
    record(
        session,
        principal,
        action="create",
        entity_type=type(entity).__name__,
        entity_id=entity.id,
        advertiser_id=entity.id if advertiser_id is None else advertiser_id,
        before=None,
        after=snapshot(entity, fields),
    )
    return entity


def check_version(current: int, expected: int | None) -> None:
    """Optimistic concurrency: a stale `expectedVersion` refuses the whole update."""
    if expected is not None and expected != current:
        raise Conflict(
            f"the object changed since you read it (your version {expected}, "
            f"current {current}); reload and try again",
            field="expectedVersion",
        )


def apply_update(
    session: Session,
    principal: Principal,
    entity: Any,
    *,
    entity_type: str,
    advertiser_id: int,
    changes: Mapping[str, Any],
    allowed: frozenset[str],
    expected_version: int | None,
    validate: Callable[[Any], None],
) -> None:
    """Apply `changes` (attribute → new value) after validating the resulting state.

    Validation runs on the would-be values before anything is assigned, so a refused
    update leaves the object (and the database) exactly as it was.
    """
    unknown = set(changes) - allowed
    if unknown:
        raise Invalid(
            f"cannot change {', '.join(sorted(unknown))}",
            field=sorted(unknown)[0],
            code="NOT_CHANGEABLE",
        )
    check_version(entity.version, expected_version)
    validate({**{name: getattr(entity, name) for name in allowed}, **changes})
    before = snapshot(entity, changes)
    for name, value in changes.items():
        setattr(entity, name, value)
    record(
        session,
        principal,
        action="update",
        entity_type=entity_type,
        entity_id=entity.id,
        advertiser_id=advertiser_id,
        before=before,
        after=snapshot(entity, changes),
    )
    commit(session)


def commit(session: Session) -> None:
    """Commit; a database constraint that still refuses the data becomes an Invalid."""
    try:
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        raise Invalid(f"refused by the database: {exc.orig}", code="CONSTRAINT") from None
