"""Campaigns, ad groups and ads: the `campaign` root, their fields and their mutations."""

from __future__ import annotations

from typing import Any

from ariadne import EnumType, MutationType, ObjectType, QueryType
from graphql import GraphQLResolveInfo

from ads.accounts.models import Advertiser
from ads.api.connections import Connection
from ads.api.loaders import AD_GROUPS, ADS, CAMPAIGN_HISTORY
from ads.api.plan import fast_read
from ads.api.resolvers.node import bind_ids, load_node
from ads.api.resolvers.payloads import fields_of, mutate, node_pk, without_nulls
from ads.campaigns import rules
from ads.campaigns import service as campaigns
from ads.campaigns.models import Ad, AdGroup, Campaign

query = QueryType()
mutation = MutationType()
campaign = ObjectType("Campaign")
ad_group = ObjectType("AdGroup")
ad = ObjectType("Ad")
enums = [
    EnumType("CampaignStatus", rules.CampaignStatus),
    EnumType("DeliveryStatus", rules.DeliveryStatus),
    EnumType("Objective", rules.Objective),
    EnumType("BudgetType", rules.BudgetType),
    EnumType("PacingMode", rules.PacingMode),
    EnumType("BillingEvent", rules.BillingEvent),
]
bind_ids("Campaign", campaign)
bind_ids("AdGroup", ad_group)
bind_ids("Ad", ad)


@query.field("campaign")
def resolve_campaign(_: Any, info: GraphQLResolveInfo, *, id: str) -> Any:
    return load_node(info, id, "Campaign")


@campaign.field("advertiser")
def resolve_campaign_advertiser(obj: Campaign, info: GraphQLResolveInfo) -> Any:
    return info.context.loaders.get(Advertiser, obj.advertiser_id)


@campaign.field("budget")
@fast_read(lambda obj, context: context.loaded_money(obj.budget_micros, obj.advertiser_id))
def resolve_budget(obj: Campaign, info: GraphQLResolveInfo) -> Any:
    return info.context.money(obj.budget_micros, obj.advertiser_id)


@campaign.field("adGroups")
def resolve_ad_groups(
    obj: Campaign,
    info: GraphQLResolveInfo,
    *,
    status: Any = None,
    name_contains: str | None = None,
    **args: Any,
) -> Connection:
    return info.context.loaders.connection(
        AD_GROUPS, obj.id, args, status=status, name_contains=name_contains
    )


@campaign.field("changeHistory")
def resolve_campaign_history(obj: Campaign, info: GraphQLResolveInfo, **args: Any) -> Connection:
    return info.context.loaders.connection(CAMPAIGN_HISTORY, obj.id, args)


@ad_group.field("campaign")
def resolve_group_campaign(obj: AdGroup, info: GraphQLResolveInfo) -> Any:
    return info.context.loaders.get(Campaign, obj.campaign_id)


@ad_group.field("bid")
@fast_read(lambda obj, context: context.loaded_campaign_money(obj.bid_micros, obj.campaign_id))
def resolve_bid(obj: AdGroup, info: GraphQLResolveInfo) -> Any:
    return info.context.campaign_money(obj.bid_micros, obj.campaign_id)


@ad_group.field("budgetCap")
@fast_read(
    lambda obj, context: context.loaded_campaign_money(obj.budget_cap_micros, obj.campaign_id)
)
def resolve_budget_cap(obj: AdGroup, info: GraphQLResolveInfo) -> Any:
    return info.context.campaign_money(obj.budget_cap_micros, obj.campaign_id)


@ad_group.field("ads")
def resolve_ads(
    obj: AdGroup,
    info: GraphQLResolveInfo,
    *,
    status: Any = None,
    name_contains: str | None = None,
    **args: Any,
) -> Connection:
    return info.context.loaders.connection(
        ADS, obj.id, args, status=status, name_contains=name_contains
    )


@ad.field("adGroup")
def resolve_ad_group(obj: Ad, info: GraphQLResolveInfo) -> Any:
    return info.context.loaders.get(AdGroup, obj.ad_group_id)


@mutation.field("createCampaign")
async def resolve_create_campaign(
    _: Any, info: GraphQLResolveInfo, *, input: dict[str, Any]
) -> Any:
    principal = info.context.viewer

    def use_case() -> Any:
        values = without_nulls(input)
        values["advertiser_id"] = node_pk(input, "advertiser_id", "Advertiser")
        values.setdefault("end_at", None)
        return lambda s: campaigns.create_campaign(s, principal, **values)

    return await mutate(info, input, "campaign", use_case)


@mutation.field("updateCampaign")
async def resolve_update_campaign(
    _: Any, info: GraphQLResolveInfo, *, input: dict[str, Any]
) -> Any:
    return await _update(info, input, "campaign", "Campaign", campaigns.update_campaign, {"end_at"})


@mutation.field("createAdGroup")
async def resolve_create_ad_group(
    _: Any, info: GraphQLResolveInfo, *, input: dict[str, Any]
) -> Any:
    principal = info.context.viewer

    def use_case() -> Any:
        values = without_nulls(input)
        values["campaign_id"] = node_pk(input, "campaign_id", "Campaign")
        return lambda s: campaigns.create_ad_group(s, principal, **values)

    return await mutate(info, input, "ad_group", use_case)


@mutation.field("updateAdGroup")
async def resolve_update_ad_group(
    _: Any, info: GraphQLResolveInfo, *, input: dict[str, Any]
) -> Any:
    return await _update(
        info, input, "ad_group", "AdGroup", campaigns.update_ad_group, {"budget_cap_micros"}
    )


@mutation.field("createAd")
async def resolve_create_ad(_: Any, info: GraphQLResolveInfo, *, input: dict[str, Any]) -> Any:
    principal = info.context.viewer

    def use_case() -> Any:
        values = without_nulls(input)
        values["ad_group_id"] = node_pk(input, "ad_group_id", "AdGroup")
        return lambda s: campaigns.create_ad(s, principal, **values)

    return await mutate(info, input, "ad", use_case)


@mutation.field("updateAd")
async def resolve_update_ad(_: Any, info: GraphQLResolveInfo, *, input: dict[str, Any]) -> Any:
    return await _update(info, input, "ad", "Ad", campaigns.update_ad, set())


async def _update(
    info: GraphQLResolveInfo,
    input: dict[str, Any],
    key: str,
    type_name: str,
    service: Any,
    nullable: set[str],
) -> Any:
    principal = info.context.viewer

    def use_case() -> Any:
        pk = node_pk(input, "id", type_name)
        changes = fields_of(input, nullable=frozenset(nullable))
        version = input.get("expected_version")
        return lambda s: service(s, principal, pk, changes, expected_version=version)

    return await mutate(info, input, key, use_case)


bindables = [query, mutation, campaign, ad_group, ad, *enums]
