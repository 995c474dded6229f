"""Per-request DataLoaders: objects by id and connection pages/counts by parent id.

Every loader reads through the services' scoped query builders, so an object outside the
caller's advertisers simply does not come back (it is "not found", never "forbidden").
Loaders live in the request context and die with it: a shared loader would leak one
caller's rows to another.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from aiodataloader import DataLoader
from sqlalchemy import Select

from ads.accounts.models import Advertiser
from ads.accounts.service import advertisers_query
from ads.api import statements
from ads.api.connections import (
    Connection,
    Page,
    PageArgs,
    count_statement,
    page_args,
    page_statement,
    single_page,
    split_pages,
)
from ads.audit.models import AuditEntry
from ads.audit.service import history_query
from ads.auth.principal import Principal
from ads.billing.models import Invoice, LedgerEntry
from ads.billing.queries import invoices_query, ledger_query
from ads.campaigns.models import Ad, AdGroup, Campaign
from ads.campaigns.service import ad_groups_query, ads_query, campaigns_query
from ads.exports.models import BillingExport
from ads.exports.queries import exports_query
from ads.pacing.experiments.models import PacingExperiment
from ads.pacing.experiments.service import experiments_query
from ads.pacing.service import PacingView, advertiser_spend_today, campaign_pacing

if TYPE_CHECKING:
    from ads.api.context import RequestContext

Filters = tuple[tuple[str, Any], ...]


@dataclass(frozen=True, eq=False)
class Relation:
    """A one-to-many relation served as a connection: child model, parent key, scoped query.

    Compared and hashed by identity (it keys the loaders): comparing the column fields
    would build SQL expressions.
    """

    name: str
    model: type
    parent: Any
    query: Callable[..., Select[Any]]

    @property
    def parent_key(self) -> str:
        return str(self.parent.key)


def _campaigns(principal: Principal, **filters: Any) -> Select[Any]:
    return campaigns_query(principal, **filters)


def _campaign_history(principal: Principal) -> Select[Any]:
    return history_query(principal, entity_type="Campaign")


CAMPAIGNS = Relation("campaigns", Campaign, Campaign.advertiser_id, _campaigns)
AD_GROUPS = Relation("adGroups", AdGroup, AdGroup.campaign_id, ad_groups_query)
ADS = Relation("ads", Ad, Ad.ad_group_id, ads_query)
CAMPAIGN_HISTORY = Relation("campaignHistory", AuditEntry, AuditEntry.entity_id, _campaign_history)
ADVERTISER_HISTORY = Relation(
    "advertiserHistory", AuditEntry, AuditEntry.advertiser_id, history_query
)

_BY_ID: dict[type, Callable[[Principal], Select[Any]]] = {
    Advertiser: advertisers_query,
    Campaign: campaigns_query,
    AdGroup: ad_groups_query,
    Ad: ads_query,
    AuditEntry: history_query,
    Invoice: invoices_query,
    LedgerEntry: ledger_query,
    BillingExport: exports_query,
    PacingExperiment: experiments_query,
}


class Loaders:
    """The loaders of one request, created on first use."""

    def __init__(self, context: RequestContext) -> None:
        self._context = context
        self._by_id: dict[type, DataLoader[int, Any]] = {}
        self._pages: dict[tuple[Relation, Filters, PageArgs], DataLoader[int, Page]] = {}
        self._counts: dict[tuple[Relation, Filters], DataLoader[int, int]] = {}
        self._connections: dict[tuple[Any, ...], Connection] = {}
        #: Campaign id -> pacing (None: never ticked), for the campaigns preloaded so far.
        self.pacing_views: dict[int, PacingView | None] = {}

    @property
    def advertiser(self) -> DataLoader[int, Any]:
        return self.by_id(Advertiser)

    @property
    def campaign(self) -> DataLoader[int, Any]:
        return self.by_id(Campaign)

    @cached_property
    def pacing(self) -> DataLoader[int, PacingView | None]:
        """Campaign id -> its pacing as of the last tick (None before the first); one query.

        Only reached from campaigns already read through the scoped queries.
        """

        async def load(ids: list[int]) -> list[PacingView | None]:
            found = await self._context.run_sync(lambda s: campaign_pacing(s, ids))
            return [found.get(pk) for pk in ids]

        return DataLoader(load)

    async def preload_pacing(self, campaign_ids: list[int]) -> None:
        """The pacing of a page of campaigns in one batch, readable without awaiting."""
        # One batch answers every load at once: awaited one after the other, only the
        # first waits (`load_many` gathers them, with a callback per campaign).
        loads = [self.pacing.load(pk) for pk in campaign_ids]
        self.pacing_views.update(zip(campaign_ids, [await load for load in loads], strict=True))

    @cached_property
    def spend_today(self) -> DataLoader[int, int]:
        """Advertiser id -> spend on its current local day, in micros; one query.

        Only reached from advertisers already read through the scoped queries.
        """

        async def load(ids: list[int]) -> list[int]:
            found = await self._context.run_sync(lambda s: advertiser_spend_today(s, ids))
            return [found.get(pk, 0) for pk in ids]

        return DataLoader(load)

    def get(self, model: type, pk: int) -> Any:
        """The object (synchronously, when already read in this request) or a future of it."""
        seen = self._context.seen.get((model, pk))
        if seen is not None:
            return seen
        return self.by_id(model).load(pk)

    def by_id(self, model: type) -> DataLoader[int, Any]:
        loader = self._by_id.get(model)
        if loader is None:
            query = _BY_ID[model]

            async def load(ids: list[int]) -> list[Any]:
                statement = query(self._context.viewer).where(model.id.in_(ids))  # type: ignore[attr-defined]
                rows = await self._context.scalars(statement)
                self._context.remember(rows)
                found = {row.id: row for row in rows}
                return [found.get(pk) for pk in ids]

            loader = self._by_id[model] = DataLoader(load)
        return loader

    def connection(
        self, relation: Relation, parent_id: int, args: dict[str, Any], **filters: Any
    ) -> Connection:
        """A child connection of one parent; its page and count batch with its siblings'.

        One instance per (relation, parent, arguments) in a request, so the prefetch and
        the resolvers share it and a loaded page or count is read without awaiting.
        """
        memo = (relation, parent_id, tuple(args.items()), tuple(filters.items()))
        found = self._connections.get(memo)
        if found is None:
            found = self._connections[memo] = self._connection(relation, parent_id, args, filters)
        return found

    def _connection(
        self, relation: Relation, parent_id: int, args: dict[str, Any], filters: dict[str, Any]
    ) -> Connection:
        paging = page_args(args)
        key = tuple(sorted((k, v) for k, v in filters.items() if v is not None))
        return Connection(
            paging,
            lambda: self._page_loader(relation, key, paging).load(parent_id),
            lambda: self._count_loader(relation, key).load(parent_id),
        )

    def root_connection(self, query: Select[Any], model: type, args: dict[str, Any]) -> Connection:
        """A connection without a parent (`Query.advertisers`)."""
        paging = page_args(args)

        async def page() -> Page:
            rows = await self._context.scalars(page_statement(query, model, paging))
            self._context.remember(rows)
            return single_page(rows, paging)

        async def count() -> int:
            return int((await self._context.rows(count_statement(query)))[0][0])

        return Connection(paging, page, count)

    def _page_loader(
        self, relation: Relation, filters: Filters, paging: PageArgs
    ) -> DataLoader[int, Page]:
        key = (relation, filters, paging)
        loader = self._pages.get(key)
        if loader is None:

            async def load(parent_ids: list[int]) -> list[Page]:
                scope = statements.scope_of(self._context.viewer)
                statement = statements.pages(relation, filters, paging, scope)
                rows = await self._context.scalars(statement, {statements.IDS: parent_ids})
                self._context.remember(rows)
                return split_pages(rows, relation.parent_key, parent_ids, paging)

            loader = self._pages[key] = DataLoader(load)
        return loader

    def _count_loader(self, relation: Relation, filters: Filters) -> DataLoader[int, int]:
        key = (relation, filters)
        loader = self._counts.get(key)
        if loader is None:

            async def load(parent_ids: list[int]) -> list[int]:
                scope = statements.scope_of(self._context.viewer)
                statement = statements.counts(relation, filters, scope)
                rows = await self._context.rows(statement, {statements.IDS: parent_ids})
                counts: dict[int, int] = {int(pid): int(n) for pid, n in rows}
                return [counts.get(pid, 0) for pid in parent_ids]

            loader = self._counts[key] = DataLoader(load)
        return loader
