"""Per-request DataLoaders: objects by id and connection pages/counts by parent id.

Every loader reads through the services' scoped query builders, so an object outside the
caller's advertisers simply does not come back (it is "not found", never "forbidden").
Loaders live in the request context and die with it: a shared loader would leak one
caller's rows to another.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aiodataloader import DataLoader
from sqlalchemy import Select

from ads.accounts.models import Advertiser
from ads.accounts.service import advertisers_query
from ads.api.connections import (
    Connection,
    Page,
    PageArgs,
    count_statement,
    counts_statement,
    page_args,
    page_statement,
    pages_statement,
    single_page,
    split_pages,
)
from ads.audit.models import AuditEntry
from ads.audit.service import history_query
from ads.auth.principal import Principal
from ads.campaigns.models import Ad, AdGroup, Campaign
from ads.campaigns.service import ad_groups_query, ads_query, campaigns_query

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
}


class Loaders:
    """The loaders of one request, created on first use."""

    def __init__(self, context: RequestContext) -> None:
        self._context = context
        self._by_id: dict[type, DataLoader[int, Any]] = {}
        self._pages: dict[tuple[Relation, Filters, PageArgs], DataLoader[int, Page]] = {}
        self._counts: dict[tuple[Relation, Filters], DataLoader[int, int]] = {}

    @property
    def advertiser(self) -> DataLoader[int, Any]:
        return self.by_id(Advertiser)

    @property
    def campaign(self) -> DataLoader[int, Any]:
        return self.by_id(Campaign)

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
        """A child connection of one parent; its page and count batch with its siblings'."""
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
                query = relation.query(self._context.viewer, **dict(filters))
                statement = pages_statement(
                    query, relation.model, relation.parent, parent_ids, paging
                )
                rows = await self._context.scalars(statement)
                self._context.remember(rows)
                return split_pages(rows, relation.parent_key, parent_ids, paging)

            loader = self._pages[key] = DataLoader(load)
        return loader

    def _count_loader(self, relation: Relation, filters: Filters) -> DataLoader[int, int]:
        key = (relation, filters)
        loader = self._counts.get(key)
        if loader is None:

            async def load(parent_ids: list[int]) -> list[int]:
                query = relation.query(self._context.viewer, **dict(filters))
                rows = await self._context.rows(
                    counts_statement(query, relation.parent, parent_ids)
                )
                counts: dict[int, int] = {int(pid): int(n) for pid, n in rows}
                return [counts.get(pid, 0) for pid in parent_ids]

            loader = self._counts[key] = DataLoader(load)
        return loader
