"""Look-ahead for nested connections: load a page's whole subtree before resolving it.

When a page of nodes arrives, the connections selected under those nodes (and under
theirs, recursively) are started for every node at once and awaited together, through
the same per-request DataLoaders, so each relation still costs one batched statement.
The subtree then resolves synchronously from finished futures, which saves graphql-core
an awaitable, a task and an event-loop round trip per nested field and list item: most
of the cost of a large dashboard query.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator, Sequence
from typing import Any, TypeVar

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLObjectType,
    GraphQLResolveInfo,
    InlineFragmentNode,
    SelectionSetNode,
    get_named_type,
)
from graphql.execution.values import get_argument_values

PAGE_FIELDS = frozenset({"edges", "nodes", "pageInfo"})
_PRELOAD = "__ads_preload__"
F = TypeVar("F", bound=Callable[..., Any])
Preload = Callable[[GraphQLResolveInfo, Sequence[Any]], Awaitable[Any]]


def preloaded(preload: Preload) -> Callable[[F], F]:
    """Mark a resolver whose value for a whole page of parents `preload(info, parents)`
    loads in one batch, after which the resolver answers without awaiting."""

    def mark(resolver: F) -> F:
        setattr(resolver, _PRELOAD, preload)
        return resolver

    return mark


async def settle(awaitables: Sequence[Awaitable[Any]]) -> None:
    """Wait until every one is done, whatever each ends with (their errors are the
    resolvers' to report).

    What `gather(..., return_exceptions=True)` does, without its callback and its
    event-loop round trip per future: a page's loads end together, batch by batch, so
    once the first of a batch is awaited the others are done already.
    """
    futures = [a if isinstance(a, asyncio.Future) else asyncio.ensure_future(a) for a in awaitables]
    for future in futures:
        if future.done():
            continue
        try:
            await future
        except asyncio.CancelledError:
            task = asyncio.current_task()
            if task is not None and task.cancelling():
                raise
        except Exception:  # noqa: S110 - reported by the resolver that reads it
            pass


def fields(info: GraphQLResolveInfo, selections: SelectionSetNode | None) -> Iterator[FieldNode]:
    """The fields of a selection set, through fragments (directives are not evaluated:
    at worst a skipped field is loaded for nothing)."""
    if selections is None:
        return
    for selection in selections.selections:
        if isinstance(selection, FieldNode):
            yield selection
        elif isinstance(selection, InlineFragmentNode):
            yield from fields(info, selection.selection_set)
        elif isinstance(selection, FragmentSpreadNode):
            fragment = info.fragments.get(selection.name.value)
            if fragment is not None:
                yield from fields(info, fragment.selection_set)


def node_selections(info: GraphQLResolveInfo, connection: FieldNode) -> list[SelectionSetNode]:
    """What is selected on the nodes of a connection field (via `nodes` and `edges.node`)."""
    found: list[SelectionSetNode] = []
    for field in fields(info, connection.selection_set):
        if field.name.value == "nodes" and field.selection_set is not None:
            found.append(field.selection_set)
        elif field.name.value == "edges":
            found.extend(
                f.selection_set
                for f in fields(info, field.selection_set)
                if f.name.value == "node" and f.selection_set is not None
            )
    return found


async def prefetch(
    info: GraphQLResolveInfo,
    nodes: Sequence[Any],
    node_type: GraphQLObjectType,
    selections: Sequence[SelectionSetNode],
) -> None:
    if not nodes:
        return
    pending: list[Any] = []
    deeper: list[tuple[list[Any], GraphQLObjectType, list[SelectionSetNode]]] = []
    for selection in selections:
        for field_node in fields(info, selection):
            field = node_type.fields.get(field_node.name.value)
            preload = getattr(field.resolve, _PRELOAD, None) if field is not None else None
            if preload is not None:
                pending.append(preload(info, nodes))
                continue
            target = get_named_type(field.type) if field is not None else None
            if field is None or field.resolve is None or not isinstance(target, GraphQLObjectType):
                continue
            if not target.name.endswith("Connection"):
                continue
            try:
                args = get_argument_values(field, field_node, info.variable_values)
                connections = [field.resolve(node, info, **args) for node in nodes]
            except (GraphQLError, TypeError, ValueError):
                continue  # the real resolver reports it
            asked = {f.name.value for f in fields(info, field_node.selection_set)}
            if "totalCount" in asked:
                pending.extend(c.count() for c in connections)
            if asked & PAGE_FIELDS and connections[0].args.size is not None:
                pages = [c.page() for c in connections]
                pending.extend(pages)
                child_type = get_named_type(target.fields["nodes"].type)
                assert isinstance(child_type, GraphQLObjectType)
                deeper.append((pages, child_type, node_selections(info, field_node)))
    if not pending:
        return
    await settle(pending)
    for pages, child_type, child_selections in deeper:
        children = [node for page in pages if not page.exception() for node in page.result().nodes]
        if child_selections:
            await prefetch(info, children, child_type, child_selections)
