"""A campaign's pacing curve for one local day: what `Campaign.pacingCurve` answers.

It reads across areas, which is why it lives above both pacing and billing: the target
curve is pacing's (the day's budget and the campaign's learned traffic shape, as the
controller paces to them), the hourly spend is billing's aggregation, and the live spend
counter is ingestion's. The pure drawing is `ads.pacing.domain.day_curve`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ads.accounts.models import Advertiser
from ads.audit.models import AuditEntry
from ads.auth.principal import Principal
from ads.billing.domain.budget_history import FieldChange, value_at
from ads.billing.models import HourlyDelivery
from ads.campaigns.budget_rules import BudgetRule, rule_for
from ads.campaigns.models import Campaign
from ads.campaigns.rules import BudgetType
from ads.campaigns.service import campaigns_query
from ads.errors import Invalid, NotFound
from ads.ingestion.models import CampaignDaySpend
from ads.pacing.domain.budget import flight_days_remaining, lifetime_daily_allowance
from ads.pacing.domain.controller import PacingStatus
from ads.pacing.domain.day_curve import DayCurve, DayInputs, HourSpend, day_curve
from ads.pacing.domain.profile import DEFAULT_DIURNAL, TrafficProfile
from ads.pacing.models import CampaignPacing
from ads.time import day_bounds, local_day, utcnow, zone

#: How far back a curve may be asked for (the hourly rows of older days may be gone).
MAX_DAYS_BACK = 400
_SERVING = frozenset({PacingStatus.PACING, PacingStatus.LIMITED_BY_BUDGET})


@dataclass(frozen=True)
class PacingCurveView:
    """The chart of one day with what the API says about it."""

    campaign_id: int
    currency: str
    day: date
    curve: DayCurve
    rule: BudgetRule
    #: True for the advertiser's current day (projection and live figures).
    today: bool


def pacing_curve(
    session: Session,
    principal: Principal,
    campaign_id: int,
    *,
    day: date | None = None,
    now: datetime | None = None,
) -> PacingCurveView:
    """The curve of `day` (the advertiser's current day by default) for a campaign the
    caller may read; NotFound otherwise, Invalid for a day after today or too old."""
    campaign = session.scalars(
        campaigns_query(principal).where(Campaign.id == campaign_id)
    ).one_or_none()
    if campaign is None:
        raise NotFound("campaign not found", field="id")
    advertiser = session.get_one(Advertiser, campaign.advertiser_id)
    tz = zone(advertiser.timezone)
    moment = now or utcnow()
    today = local_day(moment, tz)
    day = today if day is None else day
    if day > today:
        raise Invalid(f"{day} is after the advertiser's today ({today})", field="day")
    if (today - day).days > MAX_DAYS_BACK:
        raise Invalid(f"a curve goes back at most {MAX_DAYS_BACK} days", field="day")
    start, end = day_bounds(day, tz)
    pacing = session.get(CampaignPacing, campaign.id)
    current = pacing if pacing is not None and pacing.day == day else None
    rule = rule_for(campaign.budget_type)
    budget = (
        current.day_budget_micros
        if current is not None
        else _day_budget(session, campaign, day, tz)
    )
    counters = session.get(CampaignDaySpend, (campaign.id, day))
    profile = pacing.profile if pacing is not None else None
    curve = day_curve(
        DayInputs(
            day_start=start,
            day_end=end,
            tz=tz,
            profile=DEFAULT_DIURNAL if profile is None else TrafficProfile(tuple(profile)),
            budget_micros=budget,
            hard_cap_micros=rule.hard_cap_micros(budget),
            as_of=min(moment, end),
            hourly=_hourly(session, campaign.id, day, start),
            spent_micros=0 if counters is None else counters.spend_micros,
            impressions=0 if counters is None else counters.impressions,
            clicks=0 if counters is None else counters.clicks,
            serving=day == today and current is not None and current.status in _SERVING,
        )
    )
    return PacingCurveView(campaign.id, advertiser.currency, day, curve, rule, day == today)


def _hourly(
    session: Session, campaign_id: int, day: date, start: datetime
) -> dict[datetime, HourSpend]:
    """The day's aggregated hours, summed over ad groups, keyed by their stretch's start."""
    h = HourlyDelivery
    rows = session.execute(
        select(h.hour, func.sum(h.spend_micros), func.sum(h.impressions), func.sum(h.clicks))
        .where(h.campaign_id == campaign_id, h.day == day)
        .group_by(h.hour)
    )
    out: dict[datetime, HourSpend] = {}
    for hour, spend, impressions, clicks in rows:
        begin = max(hour, start)  # a half-hour zone's first stretch starts mid-hour
        out[begin] = HourSpend(
            begin, hour + timedelta(hours=1), int(spend), int(impressions), int(clicks)
        )
    return out


def _day_budget(session: Session, campaign: Campaign, day: date, tz: ZoneInfo) -> int:
    """The budget of a day pacing has no decision for: the one in force at its end (as
    billing rules), spread over the flight's days left for a LIFETIME budget."""
    _, end = day_bounds(day, tz)
    changes: dict[str, list[FieldChange]] = {"budget_micros": [], "budget_type": []}
    for entry in session.scalars(
        select(AuditEntry)
        .where(
            AuditEntry.entity_type == "Campaign",
            AuditEntry.entity_id == campaign.id,
            AuditEntry.action == "update",
        )
        .order_by(AuditEntry.id)
    ):
        before, after = entry.before or {}, entry.after or {}
        for name, found in changes.items():
            if name in after:
                found.append(FieldChange(entry.occurred_at, before.get(name), after[name]))
    kind = BudgetType(value_at(campaign.budget_type.value, changes["budget_type"], end))
    amount = int(value_at(campaign.budget_micros, changes["budget_micros"], end))
    if kind is BudgetType.DAILY or campaign.end_at is None:
        return amount
    spent_before = session.scalar(
        select(func.coalesce(func.sum(CampaignDaySpend.spend_micros), 0)).where(
            CampaignDaySpend.campaign_id == campaign.id, CampaignDaySpend.day < day
        )
    )
    last_day = local_day(campaign.end_at - timedelta(microseconds=1), tz)
    first_day = max(day, local_day(campaign.start_at, tz))
    return lifetime_daily_allowance(
        amount, int(spent_before or 0), flight_days_remaining(first_day, last_day)
    )
