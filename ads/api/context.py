"""The per-request GraphQL context: who calls, one database session, loaders, caches.

One AsyncSession per request, guarded by a lock: sibling fields and separate
DataLoaders' batches run concurrently, and one AsyncSession must never run two
statements at once. Batches are few (one per relation and level), so serialising them
costs little and keeps a request on one connection.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from functools import cached_property
from typing import Any, TypeVar

from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session

from ads.accounts.models import Advertiser
from ads.api.loaders import Loaders
from ads.api.money import Money
from ads.auth.principal import Principal
from ads.campaigns.models import Campaign
from ads.config import Settings
from ads.exports.service import ExportQueue
from ads.time import utcnow
from ads.tokens.service import authenticate

T = TypeVar("T")


class RequestContext:
    """`info.context` of every resolver; closed by the HTTP handler when the request ends."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        settings: Settings,
        *,
        enqueue_export: ExportQueue,
    ) -> None:
        self.settings = settings
        #: Hands a new export job to the workers (the app wires the broker in).
        self.enqueue_export = enqueue_export
        self._sessions = sessions
        self._session: AsyncSession | None = None
        self._lock = asyncio.Lock()
        self._closed = False
        self.principal: Principal | None = None
        #: The request's clock: figures read "as of now" in one response agree.
        self.now = utcnow()
        #: Objects already read in this request (all through scoped queries), by type and id.
        self.seen: dict[tuple[type, int], Any] = {}

    @property
    def session(self) -> AsyncSession:
        if self._closed:
            # A batch still pending when execution stopped (an error nulled its parent).
            raise RuntimeError("the request has finished; its session is closed")
        if self._session is None:
            self._session = self._sessions()
        return self._session

    @property
    def viewer(self) -> Principal:
        assert self.principal is not None, "resolvers run only for authenticated requests"
        return self.principal

    @cached_property
    def loaders(self) -> Loaders:
        return Loaders(self)

    async def authenticate(self, bearer: str) -> Principal | None:
        self.principal = await self.run_sync(lambda s: authenticate(s, bearer))
        return self.principal

    async def scalars(
        self, statement: Select[Any], params: dict[str, Any] | None = None
    ) -> Sequence[Any]:
        async with self._lock:
            return (await self.session.scalars(statement, params)).all()

    async def rows(self, statement: Any, params: dict[str, Any] | None = None) -> Sequence[Any]:
        async with self._lock:
            return (await self.session.execute(statement, params)).all()

    async def run_sync(self, fn: Callable[[Session], T]) -> T:
        """Run a synchronous service function on this request's session."""
        async with self._lock:
            return await self.session.run_sync(fn)

    async def rollback(self) -> None:
        async with self._lock:
            await self.session.rollback()

    async def close(self) -> None:
        """Wait for a statement still running, then give the connection back for good."""
        async with self._lock:
            self._closed = True
            if self._session is not None:
                await self._session.close()
                self._session = None

    def remember(self, objects: Sequence[Any]) -> None:
        for obj in objects:
            self.seen[(type(obj), obj.id)] = obj

    def loaded_money(self, micros: int | None, advertiser_id: int) -> Money | None:
        """Money in the advertiser's currency if the advertiser was read (else None)."""
        advertiser = self.seen.get((Advertiser, advertiser_id))
        if micros is None or advertiser is None:
            return None
        return Money(micros, advertiser.currency)

    def loaded_campaign_money(self, micros: int | None, campaign_id: int) -> Money | None:
        """Money of an object under a campaign (bids, caps) if the campaign was read."""
        campaign = self.seen.get((Campaign, campaign_id))
        return None if campaign is None else self.loaded_money(micros, campaign.advertiser_id)

    def money(self, micros: int | None, advertiser_id: int) -> Money | Awaitable[Money] | None:
        """Money in the advertiser's currency: synchronous when the advertiser was read."""
        if micros is None:
            return None
        return self.loaded_money(micros, advertiser_id) or self._money_later(micros, advertiser_id)

    def campaign_money(self, micros: int | None, campaign_id: int) -> Any:
        """Money of an object under a campaign (bids, caps)."""
        if micros is None:
            return None
        campaign = self.seen.get((Campaign, campaign_id))
        if campaign is not None:
            return self.money(micros, campaign.advertiser_id)
        return self._campaign_money_later(micros, campaign_id)

    async def _money_later(self, micros: int, advertiser_id: int) -> Money:
        advertiser = await self.loaders.advertiser.load(advertiser_id)
        return Money(micros, advertiser.currency)

    async def _campaign_money_later(self, micros: int, campaign_id: int) -> Money:
        campaign = await self.loaders.campaign.load(campaign_id)
        result = self.money(micros, campaign.advertiser_id)
        return await result if isinstance(result, Awaitable) else result  # type: ignore[return-value]
