"""Advertisers: the `advertisers`/`advertiser` roots, their fields and their mutations."""

from __future__ import annotations

from typing import Any

from ariadne import EnumType, MutationType, ObjectType, QueryType
from graphql import GraphQLResolveInfo

from ads.accounts.models import Advertiser
from ads.accounts.rules import AdvertiserStatus
from ads.accounts.service import advertisers_query, create_advertiser, update_advertiser
from ads.api.connections import Connection
from ads.api.loaders import ADVERTISER_HISTORY, CAMPAIGNS
from ads.api.plan import fast_read
from ads.api.resolvers.node import bind_ids, load_node
from ads.api.resolvers.payloads import fields_of, mutate, node_pk, without_nulls
from ads.campaigns.service import has_campaigns

query = QueryType()
mutation = MutationType()
advertiser = ObjectType("Advertiser")
status_enum = EnumType("AdvertiserStatus", AdvertiserStatus)
#: The columns campaigns can be ordered by (creation order is the id's).
order_field_enum = EnumType(
    "CampaignOrderField",
    {"CREATED_AT": "id", "NAME": "name", "BUDGET": "budget_micros", "UPDATED_AT": "updated_at"},
)
bind_ids("Advertiser", advertiser)


@query.field("advertisers")
def resolve_advertisers(
    _: Any,
    info: GraphQLResolveInfo,
    *,
    status: AdvertiserStatus | None = None,
    name_contains: str | None = None,
    **args: Any,
) -> Connection:
    scoped = advertisers_query(info.context.viewer, status=status, name_contains=name_contains)
    return info.context.loaders.root_connection(scoped, Advertiser, args)


@query.field("advertiser")
def resolve_advertiser(_: Any, info: GraphQLResolveInfo, *, id: str) -> Any:
    return load_node(info, id, "Advertiser")


@advertiser.field("spendLimit")
@fast_read(lambda obj, context: context.loaded_money(obj.spend_limit_micros, obj.id))
def resolve_spend_limit(obj: Advertiser, info: GraphQLResolveInfo) -> Any:
    return info.context.money(obj.spend_limit_micros, obj.id)


@advertiser.field("campaigns")
def resolve_campaigns(
    obj: Advertiser,
    info: GraphQLResolveInfo,
    *,
    status: Any = None,
    name_contains: str | None = None,
    budget_type: Any = None,
    order_by: dict[str, Any] | None = None,
    **args: Any,
) -> Connection:
    if order_by:  # hashable: the arguments key the request's connections
        args["order_by"] = tuple(sorted(order_by.items()))
    return info.context.loaders.connection(
        CAMPAIGNS,
        obj.id,
        args,
        status=status,
        name_contains=name_contains,
        budget_type=budget_type,
    )


@advertiser.field("changeHistory")
def resolve_history(obj: Advertiser, info: GraphQLResolveInfo, **args: Any) -> Connection:
    return info.context.loaders.connection(ADVERTISER_HISTORY, obj.id, args)


@mutation.field("createAdvertiser")
async def resolve_create(_: Any, info: GraphQLResolveInfo, *, input: dict[str, Any]) -> Any:
    principal = info.context.viewer
    return await mutate(
        info,
        input,
        "advertiser",
        lambda: lambda s: create_advertiser(s, principal, **without_nulls(input)),
    )


@mutation.field("updateAdvertiser")
async def resolve_update(_: Any, info: GraphQLResolveInfo, *, input: dict[str, Any]) -> Any:
    principal = info.context.viewer

    def use_case() -> Any:
        pk = node_pk(input, "id", "Advertiser")
        changes = fields_of(input, nullable=frozenset({"spend_limit_micros"}))
        version = input.get("expected_version")
        return lambda s: update_advertiser(
            s,
            principal,
            pk,
            changes,
            expected_version=version,
            currency_locked=has_campaigns,
        )

    return await mutate(info, input, "advertiser", use_case)


bindables = [query, mutation, advertiser, status_enum, order_field_enum]
