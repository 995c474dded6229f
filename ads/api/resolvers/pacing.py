"""Pacing in the admin API: `Campaign.pacing` and `Advertiser.spendToday`.

Both hang off objects the caller was already authorized to read (a campaign or an
advertiser comes only from the scoped queries), so they need no check of their own;
both batch through per-request DataLoaders, one query per field however many parents.
"""

from __future__ import annotations

from collections.abc import Awaitable, Sequence
from typing import Any

from ariadne import EnumType, ObjectType
from graphql import GraphQLResolveInfo

from ads.accounts.models import Advertiser
from ads.api.executor import fast_leaf
from ads.api.money import Money
from ads.api.plan import fast_read
from ads.api.prefetch import preloaded
from ads.campaigns.budget_rules import describe
from ads.campaigns.models import Campaign
from ads.pacing.domain.controller import PacingStatus
from ads.pacing.service import PacingView, UndecidedPacing, undecided_pacing

campaign = ObjectType("Campaign")
advertiser = ObjectType("Advertiser")
campaign_pacing = ObjectType("CampaignPacing")
status_enum = EnumType("PacingStatus", PacingStatus)


class _Pacing:
    """A campaign's PacingView with the advertiser its amounts are in."""

    __slots__ = ("advertiser_id", "view")

    def __init__(self, view: PacingView | UndecidedPacing, advertiser_id: int) -> None:
        self.view, self.advertiser_id = view, advertiser_id


def _pacing_of(obj: Campaign, view: PacingView | None) -> _Pacing:
    if view is None:  # no tick has decided it yet: NOT_YET_COMPUTED, and why
        return _Pacing(undecided_pacing(obj.id, obj.status, obj.budget_type), obj.advertiser_id)
    return _Pacing(view, obj.advertiser_id)


def _preload(info: GraphQLResolveInfo, campaigns: Sequence[Campaign]) -> Awaitable[None]:
    return info.context.loaders.preload_pacing([c.id for c in campaigns])


def _loaded_pacing(obj: Campaign, context: Any) -> _Pacing | None:
    views = context.loaders.pacing_views
    return _pacing_of(obj, views[obj.id]) if obj.id in views else None


@campaign.field("pacing")
@preloaded(_preload)
@fast_read(_loaded_pacing)
def resolve_pacing(obj: Campaign, info: GraphQLResolveInfo) -> _Pacing | Awaitable[_Pacing]:
    """Synchronous for a page of campaigns preloaded together (ads.api.prefetch)."""
    return _loaded_pacing(obj, info.context) or _pacing_later(obj, info)


async def _pacing_later(obj: Campaign, info: GraphQLResolveInfo) -> _Pacing:
    return _pacing_of(obj, await info.context.loaders.pacing.load(obj.id))


@advertiser.field("spendToday")
async def resolve_spend_today(obj: Advertiser, info: GraphQLResolveInfo) -> Money:
    micros = await info.context.loaders.spend_today.load(obj.id)
    return Money(micros, obj.currency)


def _money(attribute: str) -> Any:
    @fast_read(
        lambda obj, context: context.loaded_money(getattr(obj.view, attribute), obj.advertiser_id)
    )
    def resolve(obj: _Pacing, info: GraphQLResolveInfo) -> Any:
        return info.context.money(getattr(obj.view, attribute), obj.advertiser_id)

    return resolve


def _plain(attribute: str) -> Any:
    @fast_leaf(lambda obj: getattr(obj.view, attribute))
    def resolve(obj: _Pacing, _info: GraphQLResolveInfo) -> Any:
        return getattr(obj.view, attribute)

    return resolve


for _field, _attribute in {
    "dayBudget": "day_budget_micros",
    "spentToday": "spent_today_micros",
    "targetSoFar": "target_spend_micros",
    "remainingBudget": "remaining_micros",
}.items():
    campaign_pacing.set_field(_field, _money(_attribute))
for _field, _attribute in {
    "status": "status",
    "throttleRate": "throttle",
    "day": "day",
    "updatedAt": "updated_at",
}.items():
    campaign_pacing.set_field(_field, _plain(_attribute))


@campaign_pacing.field("reason")
def resolve_reason(obj: _Pacing, _info: GraphQLResolveInfo) -> str | None:
    return obj.view.reason if isinstance(obj.view, UndecidedPacing) else None


@campaign_pacing.field("maxCharge")
@fast_read(lambda obj, context: context.loaded_money(obj.view.max_charge_micros, obj.advertiser_id))
def resolve_max_charge(obj: _Pacing, info: GraphQLResolveInfo) -> Any:
    micros = obj.view.max_charge_micros
    return None if micros is None else info.context.money(micros, obj.advertiser_id)


@campaign_pacing.field("budgetRule")
def resolve_budget_rule(obj: _Pacing, _info: GraphQLResolveInfo) -> str:
    return describe(obj.view.rule)


bindables = [campaign, advertiser, campaign_pacing, status_enum]
