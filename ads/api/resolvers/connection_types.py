"""Resolvers shared by every `XxxConnection` type: the page loads once, lazily.

When the page is not loaded yet, its nodes' own connections are prefetched with it
(ads.api.prefetch), so everything below resolves synchronously.
"""

from __future__ import annotations

import asyncio
from typing import Any

from ariadne import ObjectType
from graphql import (
    FieldNode,
    GraphQLObjectType,
    GraphQLResolveInfo,
    SelectionSetNode,
    get_named_type,
)

from ads.api.connections import Connection
from ads.api.executor import fast_leaf
from ads.api.plan import fast_read
from ads.api.prefetch import node_selections, prefetch

CONNECTION_TYPES = (
    "AdvertiserConnection",
    "CampaignConnection",
    "AdGroupConnection",
    "AdConnection",
    "ChangeEventConnection",
)


def _from_page(connection: Connection, info: GraphQLResolveInfo, attribute: str) -> Any:
    page = connection.page()
    if page.done():  # loaded already (by a sibling field or a prefetch): no await needed
        return getattr(page.result(), attribute)
    return _later(page, info, attribute)


async def _later(page: asyncio.Future[Any], info: GraphQLResolveInfo, attribute: str) -> Any:
    loaded = await page
    parent = info.parent_type.fields["nodes"].type
    node_type = get_named_type(parent)
    connection_node = _connection_field_node(info)
    if isinstance(node_type, GraphQLObjectType) and connection_node is not None:
        await prefetch(info, loaded.nodes, node_type, node_selections(info, connection_node))
    return getattr(loaded, attribute)


def _connection_field_node(info: GraphQLResolveInfo) -> Any:
    """The connection field itself is not in `info`; rebuild it from this field's siblings."""
    return FieldNode(
        name=info.field_nodes[0].name,
        selection_set=SelectionSetNode(selections=tuple(info.field_nodes)),
    )


def _loaded(attribute: str) -> Any:
    def read(connection: Connection, _context: Any) -> Any:
        page = connection.page_if_loaded()
        return None if page is None else getattr(page, attribute)

    return read


@fast_read(_loaded("edges"))
def resolve_edges(connection: Connection, info: GraphQLResolveInfo) -> Any:
    return _from_page(connection, info, "edges")


@fast_read(_loaded("nodes"))
def resolve_nodes(connection: Connection, info: GraphQLResolveInfo) -> Any:
    return _from_page(connection, info, "nodes")


@fast_read(_loaded("page_info"))
def resolve_page_info(connection: Connection, info: GraphQLResolveInfo) -> Any:
    return _from_page(connection, info, "page_info")


@fast_leaf(lambda connection: connection.count_if_loaded())
def resolve_total_count(connection: Connection, _info: GraphQLResolveInfo) -> Any:
    count = connection.count()
    return count.result() if count.done() else count


def connection_type(name: str) -> ObjectType:
    """An `XxxConnection` type bound to the shared connection resolvers."""
    obj = ObjectType(name)
    obj.set_field("edges", resolve_edges)
    obj.set_field("nodes", resolve_nodes)
    obj.set_field("pageInfo", resolve_page_info)
    obj.set_field("totalCount", resolve_total_count)
    return obj


bindables = [connection_type(name) for name in CONNECTION_TYPES]
