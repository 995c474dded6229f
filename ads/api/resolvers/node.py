"""`Node`, `node(id:)`, `nodes(ids:)`, the `id` of every node type, and `viewer`."""

from __future__ import annotations

from typing import Any

from ariadne import EnumType, InterfaceType, ObjectType, QueryType
from graphql import GraphQLError, GraphQLResolveInfo

from ads.accounts.models import Advertiser
from ads.accounts.service import advertisers_query
from ads.api.connections import Connection
from ads.api.executor import fast_leaf
from ads.api.ids import InvalidId, global_id, parse_global_id
from ads.audit.models import AuditEntry
from ads.auth import policy
from ads.auth.roles import Role
from ads.billing.models import Invoice, LedgerEntry
from ads.campaigns.models import Ad, AdGroup, Campaign
from ads.exports.models import BillingExport
from ads.pacing.experiments.models import PacingExperiment

MODELS: dict[str, type] = {
    "Advertiser": Advertiser,
    "Campaign": Campaign,
    "AdGroup": AdGroup,
    "Ad": Ad,
    "ChangeEvent": AuditEntry,
    "Invoice": Invoice,
    "LedgerEntry": LedgerEntry,
    "BillingExport": BillingExport,
    "PacingExperiment": PacingExperiment,
}
TYPE_NAMES = {model: name for name, model in MODELS.items()}
MAX_NODES = 100

query = QueryType()
node = InterfaceType("Node")
viewer = ObjectType("Viewer")
role_enum = EnumType("Role", Role)


@node.type_resolver
def resolve_node_type(obj: Any, *_: Any) -> str:
    return TYPE_NAMES[type(obj)]


def load_node(info: GraphQLResolveInfo, value: str, expected: str | None = None) -> Any:
    """The object behind a global ID, or None when absent or outside the caller's scope."""
    try:
        type_name, pk = parse_global_id(value)
    except InvalidId:
        type_name, pk = "", 0
    if not type_name or (expected is not None and type_name != expected):
        kind = f"a {expected} ID" if expected else "a global ID"
        raise GraphQLError(f"{value!r} is not {kind}", extensions={"code": "INVALID_ID"})
    return info.context.loaders.get(MODELS[type_name], pk)


@query.field("node")
def resolve_node(_: Any, info: GraphQLResolveInfo, *, id: str) -> Any:
    return load_node(info, id)


@query.field("nodes")
async def resolve_nodes(_: Any, info: GraphQLResolveInfo, *, ids: list[str]) -> list[Any]:
    if len(ids) > MAX_NODES:
        raise GraphQLError(
            f"`ids` holds {len(ids)} IDs; at most {MAX_NODES} per request",
            extensions={"code": "PAGE_SIZE_LIMIT"},
        )
    results = [load_node(info, value) for value in ids]
    return [await r if hasattr(r, "__await__") else r for r in results]


def bind_ids(type_name: str, obj: ObjectType) -> None:
    """`id` of a node type (its opaque global ID) and `databaseId` (its row's number)."""

    def resolve_id(entity: Any, _info: GraphQLResolveInfo | None) -> str:
        return global_id(type_name, entity.id)

    def resolve_database_id(entity: Any, _info: GraphQLResolveInfo | None) -> int:
        return int(entity.id)

    fast_leaf(lambda entity: resolve_id(entity, None))(resolve_id)
    fast_leaf(lambda entity: resolve_database_id(entity, None))(resolve_database_id)
    obj.set_field("id", resolve_id)
    obj.set_field("databaseId", resolve_database_id)


@query.field("viewer")
def resolve_viewer(_: Any, info: GraphQLResolveInfo) -> Any:
    return info.context.viewer


@viewer.field("seesAllAdvertisers")
def resolve_sees_all(principal: Any, _info: GraphQLResolveInfo) -> bool:
    return policy.sees_all_advertisers(principal)


@viewer.field("advertisers")
def resolve_viewer_advertisers(principal: Any, info: GraphQLResolveInfo, **args: Any) -> Connection:
    query_ = advertisers_query(principal)
    return info.context.loaders.root_connection(query_, Advertiser, args)


bindables = [query, node, viewer, role_enum]
