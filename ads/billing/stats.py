"""Dashboard time series: delivery from the hourly rows, billable and overdelivery from the ledger.

Delivered spend is known as soon as an hour is aggregated; billable and overdelivery
only once the day is closed (until then they are 0 and `closed` is false).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from ads.auth import policy
from ads.auth.principal import Principal
from ads.billing.domain.calendar import Granularity, days, month_start
from ads.billing.domain.ledger import EntryKind
from ads.billing.models import DayClose, HourlyDelivery, LedgerEntry
from ads.campaigns.models import Campaign
from ads.errors import Invalid, NotFound

MAX_DAYS = 400


@dataclass
class StatsPoint:
    period: date
    impressions: int = 0
    clicks: int = 0
    delivered_micros: int = 0
    billable_micros: int = 0
    overdelivery_micros: int = 0
    closed: bool = True


def stats(
    session: Session,
    principal: Principal,
    *,
    date_from: date,
    date_to: date,
    granularity: Granularity,
    advertiser_id: int | None = None,
    campaign_id: int | None = None,
) -> list[StatsPoint]:
    """One point per day (or month) of the period, zeros included, oldest first."""
    if date_to < date_from or (date_to - date_from).days >= MAX_DAYS:
        raise Invalid(f"the period must be 1 to {MAX_DAYS} days", field="to", code="INVALID")
    h, le = HourlyDelivery, LedgerEntry
    if campaign_id is not None:
        campaign = session.get(Campaign, campaign_id)
        if campaign is None or not policy.can_read_advertiser(principal, campaign.advertiser_id):
            raise NotFound("campaign not found", field="id")
        advertiser_id = campaign.advertiser_id
        h_filter, le_filter = h.campaign_id == campaign_id, le.campaign_id == campaign_id
    else:
        assert advertiser_id is not None
        policy.require_read_advertiser(principal, advertiser_id, what="advertiser")
        h_filter, le_filter = h.advertiser_id == advertiser_id, le.advertiser_id == advertiser_id

    def key(day: date) -> date:
        return month_start(day) if granularity is Granularity.MONTH else day

    points: dict[date, StatsPoint] = {}
    for day in days(date_from, date_to):
        points.setdefault(key(day), StatsPoint(key(day)))
    delivery = session.execute(
        select(h.day, func.sum(h.impressions), func.sum(h.clicks), func.sum(h.spend_micros))
        .where(h_filter, h.day >= date_from, h.day <= date_to)
        .group_by(h.day)
    )
    for day, impressions, clicks, spend in delivery:
        point = points[key(day)]
        point.impressions += int(impressions)
        point.clicks += int(clicks)
        point.delivered_micros += int(spend)
    ledger = session.execute(
        select(le.day, _sum(EntryKind.CHARGE), _sum(EntryKind.OVERDELIVERY_CREDIT))
        .where(le_filter, le.day >= date_from, le.day <= date_to)
        .group_by(le.day)
    )
    for day, charges, credits in ledger:
        points[key(day)].billable_micros += int(charges or 0)
        points[key(day)].overdelivery_micros += int(credits or 0)
    closed = set(
        session.scalars(
            select(DayClose.day).where(
                DayClose.advertiser_id == advertiser_id,
                DayClose.day >= date_from,
                DayClose.day <= date_to,
            )
        )
    )
    delivered_days = set(
        session.scalars(
            select(h.day).where(h_filter, h.day >= date_from, h.day <= date_to).distinct()
        )
    )
    for day in delivered_days - closed:
        points[key(day)].closed = False
    return [points[k] for k in sorted(points)]


def _sum(kind: EntryKind) -> Any:
    return func.sum(case((LedgerEntry.kind == kind, LedgerEntry.amount_micros), else_=0))
