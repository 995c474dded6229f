"""The three servers of bench/graphql_bench.py, as uvicorn factories (settings from env).

- `ours`: the real app (`create_app`), GraphQL at /graphql.
- `handwritten`: a plain Starlette JSON endpoint returning the dashboard's data from the
  same database with the same SQL (batched), the same authentication and middleware.
- `stock` (baseline b): Ariadne's ASGI GraphQL app out of the box (no document cache,
  the cost validator built per request from the variables as the Ariadne docs show, the
  same depth rule, the default HTTP handler) on the same SDL with the plain resolvers
  of bench/graphql_bench_stock.py: one DataLoader per relation, `async def` resolvers
  awaiting them, no prefetch.
- `stock_prefetch` (b2): the same stock Ariadne app on OUR schema and resolvers
  (DataLoaders, connection prefetch, identity-keyed loaders, synchronous resolution of
  loaded data), so the only differences from `ours` are the document/cost cache, our
  executor fast path, the JSON encoder and our process setup.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from ariadne.asgi import GraphQL
from ariadne.validation import cost_validator
from graphql import GraphQLSchema
from sqlalchemy import func, select
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from ads.accounts.models import Advertiser
from ads.accounts.service import advertisers_query
from ads.api.app import create_app
from ads.api.connections import counts_statement, page_args, pages_statement, split_pages
from ads.api.context import RequestContext
from ads.api.document_limits import DocumentLimits, limits_rule
from ads.api.graphql_http import FastJSONResponse
from ads.api.ids import cursor, expect_id, global_id
from ads.api.middleware import BodyLimitMiddleware, RequestIdMiddleware
from ads.api.schema import build_schema
from ads.campaigns.models import AdGroup, Campaign
from ads.campaigns.service import ad_groups_query, campaigns_query
from ads.config import Settings
from ads.db import async_session_factory, make_async_engine
from ads.money import format_amount
from ads.pacing.service import PacingView, advertiser_spend_today, campaign_pacing
from bench.graphql_bench_stock import StockContext, build_stock_schema


def ours() -> Starlette:
    return create_app(Settings.from_env())


def _app(settings: Settings, route: Route) -> Starlette:
    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        engine = make_async_engine(settings, pool_pre_ping=True)
        app.state.engine = engine
        app.state.sessions = async_session_factory(engine)
        yield
        await engine.dispose()

    middleware = [
        Middleware(RequestIdMiddleware),
        Middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes),
    ]
    return Starlette(routes=[route], middleware=middleware, lifespan=lifespan)


def _money(micros: int, currency: str) -> dict[str, str]:
    return {
        "amountMicros": str(micros),
        "amount": format_amount(micros, currency),
        "currency": currency,
    }


def _pacing(view: PacingView | None, currency: str) -> dict[str, Any] | None:
    if view is None:
        return None
    return {
        "status": view.status.value,
        "throttleRate": view.throttle,
        "spentToday": {
            "amount": format_amount(view.spent_today_micros, currency),
            "amountMicros": str(view.spent_today_micros),
        },
        "targetSoFar": {"amount": format_amount(view.target_spend_micros, currency)},
    }


async def dashboard(request: Request) -> JSONResponse:
    """The CampaignList document's data, by hand: the statements the GraphQL loaders issue."""
    settings: Settings = request.app.state.settings
    context = RequestContext(
        request.app.state.sessions, settings, enqueue_export=lambda _export_id: False
    )
    try:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        principal = await context.authenticate(token) if scheme.lower() == "bearer" else None
        if principal is None:
            return JSONResponse({"error": "unauthenticated"}, status_code=401)
        body = await request.json()
        variables = body["variables"]
        advertiser_pk = expect_id(variables["advertiser"], "Advertiser")
        first = int(variables["first"])
        advertiser = (
            await context.scalars(
                advertisers_query(principal).where(Advertiser.id == advertiser_pk)
            )
        )[0]
        spend = await context.run_sync(lambda s: advertiser_spend_today(s, [advertiser_pk]))
        scoped = campaigns_query(principal, advertiser_id=advertiser_pk)
        campaigns = list(await context.scalars(scoped.order_by(Campaign.id).limit(first + 1)))
        total = (await context.rows(select(func.count()).select_from(scoped.subquery())))[0][0]
        more = len(campaigns) > first
        campaigns = campaigns[:first]
        ids = [c.id for c in campaigns]
        paging = page_args({"first": 10})
        groups_query = ad_groups_query(principal)
        group_rows = await context.scalars(
            pages_statement(groups_query, AdGroup, AdGroup.campaign_id, ids, paging)
        )
        pages = split_pages(group_rows, "campaign_id", ids, paging)
        group_counts = dict(
            await context.rows(counts_statement(groups_query, AdGroup.campaign_id, ids))
        )
        views = await context.run_sync(lambda s: campaign_pacing(s, ids))
        currency = advertiser.currency
        nodes = [
            {
                "id": global_id("Campaign", campaign.id),
                "name": campaign.name,
                "status": campaign.status.value,
                "budgetType": campaign.budget_type.value,
                "budget": _money(campaign.budget_micros, currency),
                "pacing": _pacing(views.get(campaign.id), currency),
                "adGroups": {
                    "totalCount": group_counts.get(campaign.id, 0),
                    "nodes": [
                        {
                            "id": global_id("AdGroup", g.id),
                            "name": g.name,
                            "status": g.status.value,
                            "bid": {"amount": format_amount(g.bid_micros, currency)},
                        }
                        for g in page.nodes
                    ],
                },
            }
            for campaign, page in zip(campaigns, pages, strict=True)
        ]
        data = {
            "advertiser": {
                "id": global_id("Advertiser", advertiser.id),
                "name": advertiser.name,
                "currency": currency,
                "timezone": advertiser.timezone,
                "spendToday": {"amount": format_amount(spend.get(advertiser_pk, 0), currency)},
                "campaigns": {
                    "totalCount": total,
                    "pageInfo": {
                        "hasNextPage": more,
                        "hasPreviousPage": False,
                        "startCursor": cursor(campaigns[0].id) if campaigns else None,
                        "endCursor": cursor(campaigns[-1].id) if campaigns else None,
                    },
                    "nodes": nodes,
                },
            }
        }
        return FastJSONResponse({"data": data})
    finally:
        await context.close()


def handwritten() -> Starlette:
    settings = Settings.from_env()
    app = _app(settings, Route("/graphql", dashboard, methods=["POST"]))
    app.state.settings = settings
    return app


def stock() -> Starlette:
    """Baseline (b): stock Ariadne, the same SDL, plain DataLoader resolvers."""
    return _stock(build_stock_schema(), StockContext)


def stock_prefetch() -> Starlette:
    """Variant (b2): stock Ariadne on our schema and resolvers (prefetch included)."""
    return _stock(build_schema(), RequestContext)


def _stock(schema: GraphQLSchema, context_class: type[RequestContext]) -> Starlette:
    settings = Settings.from_env()
    depth = limits_rule(DocumentLimits.from_settings(settings))

    async def context_value(request: Request, _data: Any) -> RequestContext:
        context = context_class(
            request.app.state.sessions, settings, enqueue_export=lambda _export_id: False
        )
        request.scope.setdefault("state", {})["graphql_context"] = context
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer":
            await context.authenticate(token)
        return context

    def rules(_context: Any, _document: Any, data: dict[str, Any]) -> list[Any]:
        return [depth, cost_validator(settings.graphql_max_cost, variables=data.get("variables"))]

    graphql_app = GraphQL(schema, context_value=context_value, validation_rules=rules)

    return _app(settings, Route("/graphql", _Closing(graphql_app)))


class _Closing:
    """Closes the request's session after Ariadne answered (its context cannot yield)."""

    def __init__(self, app: GraphQL) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await self.app(scope, receive, send)
        finally:
            context = scope.get("state", {}).get("graphql_context")
            if context is not None:
                await context.close()
