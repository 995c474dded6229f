"""The loaders' SELECTs, built once per shape and reused with new ids as parameters.

Building a paged statement (a window function over an aliased subquery) costs ≈0.5 ms
of Python in SQLAlchemy, each time, before its compiled form is found in the cache.
A statement's shape depends only on the relation, the filters, the page arguments and
the caller's scope (role and advertisers: what the scoped query builders read from a
principal, never its token), so it is built once per shape with the parent ids as an
expanding bound parameter and executed with `{IDS: [...]}`.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

from sqlalchemy import Select, bindparam

from ads.api.connections import PageArgs, counts_statement, pages_statement
from ads.auth.principal import Principal
from ads.auth.roles import Role

if TYPE_CHECKING:
    from ads.api.loaders import Relation

IDS = "ids"
SHAPES = 1024
Filters = tuple[tuple[str, Any], ...]


def scope_of(principal: Principal) -> tuple[Role, frozenset[int]]:
    return principal.role, principal.advertiser_ids


def _viewer(scope: tuple[Role, frozenset[int]]) -> Principal:
    return Principal(role=scope[0], advertiser_ids=scope[1])


def _ids() -> Any:
    return bindparam(IDS, expanding=True)


@lru_cache(maxsize=SHAPES)
def pages(
    relation: Relation, filters: Filters, paging: PageArgs, scope: tuple[Role, frozenset[int]]
) -> Select[Any]:
    """One page per parent id (`{IDS: [...]}`), in one statement."""
    query = relation.query(_viewer(scope), **dict(filters))
    return pages_statement(query, relation.model, relation.parent, _ids(), paging)


@lru_cache(maxsize=SHAPES)
def counts(relation: Relation, filters: Filters, scope: tuple[Role, frozenset[int]]) -> Any:
    """(parent id, count) per parent id (`{IDS: [...]}`), in one GROUP BY."""
    query = relation.query(_viewer(scope), **dict(filters))
    return counts_statement(query, relation.parent, _ids())
