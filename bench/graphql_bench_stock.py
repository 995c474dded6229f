"""Baseline (b) of bench/graphql_bench.py: the resolvers a team would write first.

Same SDL, same scalars, enums and global IDs, same scoped queries and the same batched
SQL (`ads.api.connections`) as the real app, so the N+1-free statement count is the
same. What it does NOT have is any of our execution optimizations:

- one aiodataloader `DataLoader` per relation (and per filter/page arguments), keyed
  by parent id, awaited by `async def` resolvers: every connection field (`edges`,
  `nodes`, `pageInfo`, `totalCount`) and every `Money` field awaits its loader;
- no look-ahead prefetch (ads.api.prefetch), no "already loaded" synchronous paths,
  no identity-keyed loaders, no executor fast path;
- served by `ariadne.asgi.GraphQL` defaults (see graphql_bench_apps.stock): no
  document cache, cost validator built per request, the same depth rule.

Only the read path of the dashboard (and its siblings) is rebound here; mutations,
billing and the rest keep the real resolvers, which the benchmark never calls.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiodataloader import DataLoader
from ariadne import ObjectType, QueryType, load_schema_from_path, make_executable_schema
from graphql import GraphQLResolveInfo, GraphQLSchema

from ads.accounts.models import Advertiser
from ads.accounts.service import advertisers_query
from ads.api.connections import (
    PageArgs,
    count_statement,
    counts_statement,
    page_args,
    page_statement,
    pages_statement,
    single_page,
    split_pages,
)
from ads.api.context import RequestContext
from ads.api.ids import cursor, expect_id
from ads.api.loaders import AD_GROUPS, ADS, CAMPAIGNS, Relation
from ads.api.resolvers import (
    advertisers,
    audit,
    billing,
    campaigns,
    connection_types,
    experiments,
    node,
    pacing,
    scalars,
)
from ads.api.schema import SCHEMA_DIR
from ads.campaigns.models import Ad, AdGroup, Campaign
from ads.money import format_amount


class StockContext(RequestContext):
    """The request context plus plain per-request DataLoaders."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.by_id: dict[type, DataLoader[int, Any]] = {}
        self.pages: dict[tuple[str, Any, PageArgs], DataLoader[int, Any]] = {}
        self.counts: dict[tuple[str, Any], DataLoader[int, int]] = {}

    def object_loader(self, model: Any, query: Callable[..., Any]) -> DataLoader[int, Any]:
        if model not in self.by_id:

            async def load(ids: list[int]) -> list[Any]:
                rows = await self.scalars(query(self.viewer).where(model.id.in_(ids)))
                found = {row.id: row for row in rows}
                return [found.get(pk) for pk in ids]

            self.by_id[model] = DataLoader(load)
        return self.by_id[model]

    def page_loader(self, relation: Relation, filters: Any, paging: PageArgs) -> DataLoader:
        key = (relation.name, filters, paging)
        if key not in self.pages:

            async def load(parent_ids: list[int]) -> list[Any]:
                query = relation.query(self.viewer, **dict(filters))
                statement = pages_statement(
                    query, relation.model, relation.parent, parent_ids, paging
                )
                rows = await self.scalars(statement)
                return split_pages(rows, relation.parent_key, parent_ids, paging)

            self.pages[key] = DataLoader(load)
        return self.pages[key]

    def count_loader(self, relation: Relation, filters: Any) -> DataLoader[int, int]:
        key = (relation.name, filters)
        if key not in self.counts:

            async def load(parent_ids: list[int]) -> list[int]:
                query = relation.query(self.viewer, **dict(filters))
                rows = await self.rows(counts_statement(query, relation.parent, parent_ids))
                counts = {int(pid): int(n) for pid, n in rows}
                return [counts.get(pid, 0) for pid in parent_ids]

            self.counts[key] = DataLoader(load)
        return self.counts[key]


class StockConnection:
    """A child connection: which parent, which relation, which page."""

    def __init__(
        self,
        context: StockContext,
        relation: Relation,
        parent_id: int,
        args: dict[str, Any],
        filters: dict[str, Any],
    ) -> None:
        self.context = context
        self.relation = relation
        self.parent_id = parent_id
        self.paging = page_args(args)
        self.filters = tuple(sorted((k, v) for k, v in filters.items() if v is not None))

    async def page(self) -> Any:
        loader = self.context.page_loader(self.relation, self.filters, self.paging)
        return await loader.load(self.parent_id)

    async def count(self) -> int:
        return await self.context.count_loader(self.relation, self.filters).load(self.parent_id)


class StockRootConnection:
    def __init__(self, context: StockContext, query: Any, model: Any, args: dict[str, Any]):
        self.context, self.query, self.model = context, query, model
        self.paging = page_args(args)

    async def page(self) -> Any:
        rows = await self.context.scalars(page_statement(self.query, self.model, self.paging))
        return single_page(rows, self.paging)

    async def count(self) -> int:
        return int((await self.context.rows(count_statement(self.query)))[0][0])


def money(micros: int | None, currency: str) -> dict[str, Any] | None:
    if micros is None:
        return None
    return {
        "amount_micros": micros,
        "amount": format_amount(micros, currency),
        "currency": currency,
    }


query = QueryType()
advertiser = ObjectType("Advertiser")
campaign = ObjectType("Campaign")
ad_group = ObjectType("AdGroup")
ad = ObjectType("Ad")
viewer = ObjectType("Viewer")


def _advertisers(info: GraphQLResolveInfo) -> DataLoader[int, Any]:
    return info.context.object_loader(Advertiser, advertisers_query)


def _campaigns(info: GraphQLResolveInfo) -> DataLoader[int, Any]:
    from ads.campaigns.service import campaigns_query

    return info.context.object_loader(Campaign, campaigns_query)


def _ad_groups(info: GraphQLResolveInfo) -> DataLoader[int, Any]:
    from ads.campaigns.service import ad_groups_query

    return info.context.object_loader(AdGroup, ad_groups_query)


@query.field("advertiser")
async def resolve_advertiser(_: Any, info: GraphQLResolveInfo, *, id: str) -> Any:
    return await _advertisers(info).load(expect_id(id, "Advertiser"))


@query.field("campaign")
async def resolve_campaign(_: Any, info: GraphQLResolveInfo, *, id: str) -> Any:
    return await _campaigns(info).load(expect_id(id, "Campaign"))


@query.field("advertisers")
def resolve_advertisers(
    _: Any, info: GraphQLResolveInfo, *, status: Any = None, name_contains: Any = None, **args: Any
) -> StockRootConnection:
    scoped = advertisers_query(info.context.viewer, status=status, name_contains=name_contains)
    return StockRootConnection(info.context, scoped, Advertiser, args)


@viewer.field("advertisers")
def resolve_viewer_advertisers(principal: Any, info: GraphQLResolveInfo, **args: Any) -> Any:
    return StockRootConnection(info.context, advertisers_query(principal), Advertiser, args)


@advertiser.field("spendLimit")
def resolve_spend_limit(obj: Advertiser, _info: GraphQLResolveInfo) -> Any:
    return money(obj.spend_limit_micros, obj.currency)


@advertiser.field("campaigns")
def resolve_advertiser_campaigns(
    obj: Advertiser,
    info: GraphQLResolveInfo,
    *,
    status: Any = None,
    name_contains: Any = None,
    budget_type: Any = None,
    **args: Any,
) -> StockConnection:
    filters = {"status": status, "name_contains": name_contains, "budget_type": budget_type}
    return StockConnection(info.context, CAMPAIGNS, obj.id, args, filters)


@campaign.field("advertiser")
async def resolve_campaign_advertiser(obj: Campaign, info: GraphQLResolveInfo) -> Any:
    return await _advertisers(info).load(obj.advertiser_id)


@campaign.field("budget")
async def resolve_budget(obj: Campaign, info: GraphQLResolveInfo) -> Any:
    owner = await _advertisers(info).load(obj.advertiser_id)
    return money(obj.budget_micros, owner.currency)


@campaign.field("adGroups")
def resolve_campaign_ad_groups(
    obj: Campaign,
    info: GraphQLResolveInfo,
    *,
    status: Any = None,
    name_contains: Any = None,
    **args: Any,
) -> StockConnection:
    filters = {"status": status, "name_contains": name_contains}
    return StockConnection(info.context, AD_GROUPS, obj.id, args, filters)


async def _campaign_money(info: GraphQLResolveInfo, micros: int | None, campaign_id: int) -> Any:
    if micros is None:
        return None
    owner_campaign = await _campaigns(info).load(campaign_id)
    owner = await _advertisers(info).load(owner_campaign.advertiser_id)
    return money(micros, owner.currency)


@ad_group.field("campaign")
async def resolve_group_campaign(obj: AdGroup, info: GraphQLResolveInfo) -> Any:
    return await _campaigns(info).load(obj.campaign_id)


@ad_group.field("bid")
async def resolve_bid(obj: AdGroup, info: GraphQLResolveInfo) -> Any:
    return await _campaign_money(info, obj.bid_micros, obj.campaign_id)


@ad_group.field("budgetCap")
async def resolve_budget_cap(obj: AdGroup, info: GraphQLResolveInfo) -> Any:
    return await _campaign_money(info, obj.budget_cap_micros, obj.campaign_id)


@ad_group.field("ads")
def resolve_ad_group_ads(
    obj: AdGroup,
    info: GraphQLResolveInfo,
    *,
    status: Any = None,
    name_contains: Any = None,
    **args: Any,
) -> StockConnection:
    filters = {"status": status, "name_contains": name_contains}
    return StockConnection(info.context, ADS, obj.id, args, filters)


@ad.field("adGroup")
async def resolve_ad_group(obj: Ad, info: GraphQLResolveInfo) -> Any:
    return await _ad_groups(info).load(obj.ad_group_id)


async def resolve_edges(connection: Any, _info: GraphQLResolveInfo) -> Any:
    page = await connection.page()
    return [{"cursor": cursor(node.id), "node": node} for node in page.nodes]


async def resolve_nodes(connection: Any, _info: GraphQLResolveInfo) -> Any:
    return (await connection.page()).nodes


async def resolve_page_info(connection: Any, _info: GraphQLResolveInfo) -> Any:
    return (await connection.page()).page_info


async def resolve_total_count(connection: Any, _info: GraphQLResolveInfo) -> int:
    return await connection.count()


def _connection_type(name: str) -> ObjectType:
    bound = ObjectType(name)
    bound.set_field("edges", resolve_edges)
    bound.set_field("nodes", resolve_nodes)
    bound.set_field("pageInfo", resolve_page_info)
    bound.set_field("totalCount", resolve_total_count)
    return bound


STOCK_CONNECTIONS = (
    "AdvertiserConnection",
    "CampaignConnection",
    "AdGroupConnection",
    "AdConnection",
)


def build_stock_schema() -> GraphQLSchema:
    """The same SDL; the real bindables first (as ads.api.schema lists them), then the
    plain read path over them."""
    return make_executable_schema(
        load_schema_from_path(SCHEMA_DIR),
        *scalars.bindables,
        *node.bindables,
        *connection_types.bindables,
        *advertisers.bindables,
        *campaigns.bindables,
        *audit.bindables,
        *billing.bindables,
        *experiments.bindables,
        *pacing.bindables,
        query,
        viewer,
        advertiser,
        campaign,
        ad_group,
        ad,
        *(_connection_type(name) for name in STOCK_CONNECTIONS),
        convert_names_case=True,
    )
