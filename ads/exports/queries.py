"""Which export jobs a caller may see, as SQL: all for FINANCE/ADMIN, and for an
ADVERTISER token only the jobs whose advertisers are all within its scope.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, false, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.types import Boolean

from ads.auth import policy
from ads.auth.principal import Principal
from ads.exports.models import BillingExport


def exports_query(principal: Principal) -> Select[Any]:
    """Export jobs the caller may see: all for FINANCE/ADMIN; for an ADVERTISER token,
    the jobs restricted to advertisers all within its scope (never an all-advertisers one).
    """
    scope = policy.readable_advertisers(principal)
    query = select(BillingExport)
    if scope is None:
        return query
    if not scope:
        return query.where(false())
    return query.where(_IdsWithin(BillingExport.__table__.c.advertiser_ids, scope))


class _IdsWithin(ColumnElement[bool]):
    """True when `billing_exports.advertiser_ids` is a JSON array whose ids are all in
    `scope`. "All advertisers" is stored as JSON `null` (not SQL NULL), hence the type test.

    SQLite and PostgreSQL unnest JSON arrays differently, hence one spelling each. The
    scope is a small set of integers from the caller's token, rendered as literals; the
    statement is not cached (`inherit_cache = False`) because they are part of its text.
    """

    inherit_cache = False

    def __init__(self, column: Any, scope: frozenset[int]) -> None:
        self.type = Boolean()
        self.column = column
        self.scope = tuple(sorted(int(pk) for pk in scope))


def _within(element: _IdsWithin, compiler: SQLCompiler, template: str, **kw: Any) -> str:
    column = compiler.process(element.column, **kw)
    ids = ", ".join(str(pk) for pk in element.scope)
    return template.format(column=column, ids=ids)


@compiles(_IdsWithin, "sqlite")
def _within_sqlite(element: _IdsWithin, compiler: SQLCompiler, **kw: Any) -> str:
    template = (
        "CASE WHEN json_type({column}) = 'array' THEN NOT EXISTS (SELECT 1 FROM "
        "json_each({column}) AS scope_ids WHERE CAST(scope_ids.value AS INTEGER) "
        "NOT IN ({ids})) ELSE 0 END"
    )
    return _within(element, compiler, template, **kw)


@compiles(_IdsWithin, "postgresql")
def _within_postgresql(element: _IdsWithin, compiler: SQLCompiler, **kw: Any) -> str:
    # CASE, not AND: only CASE guarantees the elements of a non-array are never read.
    template = (
        "CASE WHEN json_typeof({column}) = 'array' THEN NOT EXISTS (SELECT 1 FROM "
        "json_array_elements_text({column}) AS scope_ids(value) "
        "WHERE CAST(scope_ids.value AS BIGINT) NOT IN ({ids})) ELSE false END"
    )
    return _within(element, compiler, template, **kw)
