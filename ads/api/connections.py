"""Relay cursor connections: page arguments, batched page and count queries, the page shape.

Every connection is ordered by id by default (stable: new rows land at the end), so a
cursor is an id and `after`/`before` are plain range conditions on the primary key
index. A connection may offer other orders (`orderBy`): one non-null column, then the id
to break ties; the cursor is still the row's id, and the range compares (column, id)
with the cursor row's own, read in the same statement, so a cursor stays short and
valid in any order. Pages of many parents are fetched in ONE statement with
ROW_NUMBER() partitioned by the parent key (SQLite ≥ 3.25 and PostgreSQL), which is
what keeps nested connections N+1-free.

`hasPreviousPage` when paging forward (and `hasNextPage` when paging backward) is true
whenever a cursor was given, as the Relay spec allows: a cursor comes from an item of
this connection, so there is something on the other side of it.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from graphql import GraphQLError
from sqlalchemy import ColumnElement, Select, func, select, tuple_
from sqlalchemy.orm import aliased

from ads.api.ids import cursor, parse_cursor

MAX_PAGE = 100
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class PageArgs:
    """Validated `first/after/last/before`; hashable so it can key a DataLoader."""

    first: int | None = None
    after: int | None = None
    last: int | None = None
    before: int | None = None
    #: The model attribute to order by before the id (None: the id alone).
    order: str | None = None
    descending: bool = False

    @property
    def size(self) -> int | None:
        return self.last if self.last is not None else self.first


def page_args(args: dict[str, Any]) -> PageArgs:
    """Check the paging arguments once, with errors that say what to do instead."""
    first, last = args.get("first"), args.get("last")
    if first is not None and last is not None:
        raise _page_error("Passing both `first` and `last` is not supported.", "INVALID_PAGE")
    for name, value in (("first", first), ("last", last)):
        if value is not None and value < 0:
            raise _page_error(f"`{name}` cannot be negative.", "INVALID_PAGE")
        if value is not None and value > MAX_PAGE:
            raise _page_error(
                f"`{name}` is {value}, but a page holds at most {MAX_PAGE} items; "
                "fetch the rest with `after`/`before` and the page's cursors.",
                "PAGE_SIZE_LIMIT",
            )
    after, before = args.get("after"), args.get("before")
    order = dict(args.get("order_by") or ())
    column = order.get("field")
    return PageArgs(
        first=first,
        after=parse_cursor(after, argument="after") if after is not None else None,
        last=last,
        before=parse_cursor(before, argument="before") if before is not None else None,
        order=None if column in (None, "id") else column,
        descending=order.get("direction") == "DESC",
    )


def _page_error(message: str, code: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": code})


class Edge:
    __slots__ = ("cursor", "node")

    def __init__(self, node: Any) -> None:
        self.node = node
        self.cursor = cursor(node.id)


@dataclass(frozen=True, slots=True)
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


class Page:
    """One page of one connection, in the connection's order."""

    __slots__ = ("_edges", "nodes", "page_info")

    def __init__(self, nodes: list[Any], *, has_next: bool, has_previous: bool) -> None:
        self.nodes = nodes
        self._edges: list[Edge] | None = None
        self.page_info = PageInfo(
            has_next_page=has_next,
            has_previous_page=has_previous,
            start_cursor=cursor(nodes[0].id) if nodes else None,
            end_cursor=cursor(nodes[-1].id) if nodes else None,
        )

    @property
    def edges(self) -> list[Edge]:
        if self._edges is None:
            self._edges = [Edge(node) for node in self.nodes]
        return self._edges


def _page_of(rows: list[Any], args: PageArgs) -> Page:
    """A page from rows nearest the cursor first: as the statement ordered them when it
    orders by a column (the database's collation decides, not Python's), else by id."""
    size = args.size or 0
    backward = args.last is not None
    if args.order is None:
        rows.sort(key=_id, reverse=backward != args.descending)
    more = len(rows) > size
    rows = rows[:size]
    if backward:
        rows.reverse()
        return Page(rows, has_next=args.before is not None, has_previous=more)
    return Page(rows, has_next=more, has_previous=args.after is not None)


def _id(row: Any) -> int:
    return int(row.id)


def _ranged(query: Select[Any], model: Any, args: PageArgs) -> Select[Any]:
    for pk, later in ((args.after, True), (args.before, False)):
        if pk is None:
            continue
        key: Any
        at: Any
        if args.order is None:
            key, at = model.id, pk
        else:
            row = aliased(model)  # not correlated with the outer query's rows
            cursor_value = select(getattr(row, args.order)).where(row.id == pk).scalar_subquery()
            key, at = tuple_(getattr(model, args.order), model.id), tuple_(cursor_value, pk)
        query = query.where(key > at if later != args.descending else key < at)
    return query


def _order(model: Any, args: PageArgs) -> list[Any]:
    """ORDER BY of the rows nearest the cursor first (reversed when paging backward)."""
    descending = (args.last is not None) != args.descending
    columns = [model.id] if args.order is None else [getattr(model, args.order), model.id]
    return [c.desc() if descending else c.asc() for c in columns]


def page_statement(query: Select[Any], model: Any, args: PageArgs) -> Select[Any]:
    """One page of a root connection (no parent): LIMIT size + 1 to learn about more."""
    return _ranged(query, model, args).order_by(*_order(model, args)).limit((args.size or 0) + 1)


def pages_statement(
    query: Select[Any], model: Any, parent: Any, parent_ids: Sequence[int] | Any, args: PageArgs
) -> Select[Any]:
    """One page per parent in one statement: the first size + 1 rows of each partition
    (`parent_ids`: a list or an expanding bound parameter)."""
    order = _order(model, args)
    rank = func.row_number().over(partition_by=parent, order_by=order).label("page_rank")
    ranked = _ranged(query.where(parent.in_(parent_ids)), model, args).add_columns(rank)
    subquery = ranked.subquery()
    row = aliased(model, subquery)
    statement = select(row).where(subquery.c.page_rank <= (args.size or 0) + 1)
    return statement if args.order is None else statement.order_by(subquery.c.page_rank)


def split_pages(
    rows: Sequence[Any], parent_key: str, parent_ids: Sequence[int], args: PageArgs
) -> list[Page]:
    """Rows of a `pages_statement`, as one Page per parent id, in the order asked."""
    grouped: dict[int, list[Any]] = defaultdict(list)
    for row in rows:
        grouped[getattr(row, parent_key)].append(row)
    return [_page_of(grouped.get(pid, []), args) for pid in parent_ids]


def single_page(rows: Sequence[Any], args: PageArgs) -> Page:
    return _page_of(list(rows), args)


def count_statement(query: Select[Any]) -> Select[Any]:
    return select(func.count()).select_from(query.order_by(None).subquery())


def counts_statement(
    query: Select[Any], parent: ColumnElement[Any], ids: Sequence[int] | Any
) -> Any:
    """(parent id, count) for every parent that has rows, in one GROUP BY (`ids`: a list
    or an expanding bound parameter)."""
    return (
        query.where(parent.in_(ids))
        .with_only_columns(parent, func.count(), maintain_column_froms=True)
        .group_by(parent)
    )


class Connection:
    """What a connection field resolves to; the page and the count load only if asked for.

    A query that asks for `totalCount` alone never fetches rows, and one that asks for
    `edges` alone never counts. Each is fetched at most once, however many of `edges`,
    `nodes` and `pageInfo` are selected.
    """

    __slots__ = ("_count", "_count_future", "_page", "_page_future", "args")

    def __init__(
        self,
        args: PageArgs,
        page: Callable[[], Awaitable[Page]],
        count: Callable[[], Awaitable[int]],
    ) -> None:
        self.args = args
        self._page = page
        self._count = count
        self._page_future: asyncio.Future[Page] | None = None
        self._count_future: asyncio.Future[int] | None = None

    def page(self) -> asyncio.Future[Page]:
        if self.args.size is None:
            raise _page_error(
                "You must provide a `first` or `last` value to page this connection "
                f"(at most {MAX_PAGE}).",
                "PAGE_SIZE_REQUIRED",
            )
        if self._page_future is None:
            self._page_future = _future(self._page())
        return self._page_future

    def page_if_loaded(self) -> Page | None:
        """The page when it has been loaded already (None: not yet, or it failed)."""
        future = self._page_future
        if future is None or not future.done() or future.cancelled() or future.exception():
            return None
        return future.result()

    def count_if_loaded(self) -> int | None:
        """The count when it has been loaded already (None: not yet, or it failed)."""
        future = self._count_future
        if future is None or not future.done() or future.cancelled() or future.exception():
            return None
        return future.result()

    def count(self) -> asyncio.Future[int]:
        if self._count_future is None:
            self._count_future = _future(self._count())
        return self._count_future


def _future(loading: Awaitable[T]) -> asyncio.Future[T]:
    """`ensure_future`, at the cost of one check for a DataLoader's future."""
    return loading if isinstance(loading, asyncio.Future) else asyncio.ensure_future(loading)
