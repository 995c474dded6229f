"""Bulk reads for one chunk of a pacing shard: campaigns, ad groups and spend, by the chunk.

A shard is `campaign_id % shards == shard`, read `size` campaigns at a time in id order
(keyset: the ids after the last chunk's). Nothing here is per campaign: a chunk of 1,000
campaigns is a handful of queries, each bounded by the chunk's id range or its ids, so a
shard of any size is read in constant memory.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

import orjson
from sqlalchemy import (
    DateTime,
    Row,
    Text,
    TypeDecorator,
    and_,
    cast,
    func,
    or_,
    select,
    type_coerce,
)
from sqlalchemy.orm import Session

from ads.accounts.models import Advertiser
from ads.campaigns.models import AdGroup, Campaign
from ads.campaigns.rules import CampaignStatus, DeliveryStatus
from ads.db import among
from ads.ingestion.models import AdGroupDaySpend, CampaignDaySpend, CampaignHourTraffic
from ads.pacing.domain.controller import PacingStatus
from ads.pacing.models import AdGroupPacing, CampaignHourExposure, CampaignPacing
from ads.pacing.tick.decide import ShardInputs

#: Days of history the observed traffic shape is built from.
PROFILE_HISTORY_DAYS = 28
_CHUNK = 2_000  # ids per IN list (SQLite allows 32,766 parameters)


def load_chunk(
    session: Session, *, shard: int, shards: int, tick_at: datetime, after: int | None, size: int
) -> ShardInputs:
    """The next `size` campaigns to pace after id `after` (live ones, and stopped ones
    whose last decision still serves), with their ad groups, states and spend."""
    # Core execution on the session's connection: these are plain rows, and the ORM's
    # result processing would cost more than the queries on 100,000 campaigns.
    conn = session.connection()
    in_shard = Campaign.id % shards == shard
    query = (
        select(
            Campaign.id,
            Campaign.advertiser_id,
            Campaign.status.label("campaign_status"),
            _instant(Campaign.start_at, conn),
            _instant(Campaign.end_at, conn),
            Campaign.budget_type,
            Campaign.budget_micros,
            Campaign.pacing_mode,
            Advertiser.status.label("advertiser_status"),
            Advertiser.timezone,
            CampaignPacing.day.label("pacing_day"),
            CampaignPacing.status.label("pacing_status"),
            CampaignPacing.throttle,
            _json(CampaignPacing.ad_group_throttles),
            CampaignPacing.max_charge_micros,
            CampaignPacing.headroom_micros,
            _instant(CampaignPacing.headroom_until, conn),
            CampaignPacing.spent_today_micros,
            CampaignPacing.spent_before_today_micros,
            _json(CampaignPacing.profile),
            _json(CampaignPacing.controller_state),
            CampaignPacing.exposure_day,
            CampaignPacing.exposure_hour,
            CampaignPacing.exposure_seconds,
            CampaignPacing.version,
            _instant(CampaignPacing.computed_at, conn),
        )
        .join(Advertiser, Advertiser.id == Campaign.advertiser_id)
        .outerjoin(CampaignPacing, CampaignPacing.campaign_id == Campaign.id)
        .where(in_shard)
        .where(
            or_(
                Campaign.status.in_([CampaignStatus.ACTIVE, CampaignStatus.PAUSED]),
                and_(
                    CampaignPacing.campaign_id.is_not(None),
                    CampaignPacing.status != PacingStatus.PAUSED,
                ),
            )
        )
        # A slot already done (a duplicate or late message) is not recomputed.
        .where(or_(CampaignPacing.tick_at.is_(None), CampaignPacing.tick_at < tick_at))
        .order_by(Campaign.id)
        .limit(size)
    )
    if after is not None:
        query = query.where(Campaign.id > after)
    campaigns = conn.execute(query).all()
    if not campaigns:
        return ShardInputs([], {}, {}, {}, {})
    first, last = campaigns[0].id, campaigns[-1].id
    ad_groups: dict[int, list[Row[Any]]] = {}
    for row in conn.execute(
        select(
            AdGroup.id,
            AdGroup.campaign_id,
            AdGroup.status,
            AdGroup.budget_cap_micros,
            # The largest single charge, for the controller's one-charge guard.
            AdGroup.bid_micros,
            AdGroup.billing_event,
        )
        .where(AdGroup.campaign_id.between(first, last), AdGroup.campaign_id % shards == shard)
        .where(AdGroup.status != DeliveryStatus.ARCHIVED)
        .order_by(AdGroup.id)
    ):
        ad_groups.setdefault(row.campaign_id, []).append(row)  # type: ignore[arg-type]
    states = {
        row.ad_group_id: row
        for row in conn.execute(
            select(
                AdGroupPacing.ad_group_id,
                AdGroupPacing.day,
                AdGroupPacing.spent_today_micros,
                _json(AdGroupPacing.controller_state),
            ).where(
                AdGroupPacing.campaign_id.between(first, last),
                AdGroupPacing.campaign_id % shards == shard,
            )
        )
    }
    # Every advertiser's "today" is within a day of the UTC date.
    utc_day = tick_at.date()
    days = [utc_day - timedelta(days=1), utc_day, utc_day + timedelta(days=1)]
    campaign_spend: dict[tuple[int, date], int] = {
        (cid, day): spend
        for cid, day, spend in conn.execute(
            select(
                CampaignDaySpend.campaign_id, CampaignDaySpend.day, CampaignDaySpend.spend_micros
            ).where(
                CampaignDaySpend.campaign_id.between(first, last),
                CampaignDaySpend.campaign_id % shards == shard,
                CampaignDaySpend.day.in_(days),
            )
        )
    }
    group_ids = [g.id for groups in ad_groups.values() for g in groups]
    ad_group_spend: dict[tuple[int, date], int] = {}
    for ids in _chunks(group_ids):
        ad_group_spend.update(
            ((gid, day), spend)
            for gid, day, spend in conn.execute(
                select(
                    AdGroupDaySpend.ad_group_id,
                    AdGroupDaySpend.day,
                    AdGroupDaySpend.spend_micros,
                ).where(
                    among(AdGroupDaySpend.ad_group_id, ids, conn.dialect.name),
                    AdGroupDaySpend.day.in_(days),
                )
            )
        )
    return ShardInputs(campaigns, ad_groups, states, campaign_spend, ad_group_spend)


class _JSONText(TypeDecorator[Any]):
    """A JSON column read as its text and decoded with orjson: the tick reads three per
    campaign (controller state, profile, ad-group rates), 100,000 campaigns a minute."""

    impl = Text
    cache_ok = True

    def process_result_value(self, value: Any, dialect: Any) -> Any:
        return None if value is None else orjson.loads(value)


def _json(column: Any) -> Any:
    """Read `column` through `_JSONText`, under its own name."""
    return type_coerce(cast(column, Text), _JSONText()).label(column.key)


def _instant(column: Any, conn: Any) -> Any:
    """A UTC timestamp column; on PostgreSQL as the driver's aware datetime, skipping
    UTCDateTime's conversion (SQLite stores naive UTC and needs it): 300,000 per tick."""
    if conn.dialect.name != "postgresql":
        return column
    return type_coerce(column, DateTime(timezone=True)).label(column.key)


def spend_by_day(
    session: Session, campaign_ids: Sequence[int]
) -> dict[int, list[tuple[date, int]]]:
    """Each campaign's spend per local day (LIFETIME budgets, once a day per campaign)."""
    spend: dict[int, list[tuple[date, int]]] = {}
    for chunk in _chunks(campaign_ids):
        for cid, day, micros in session.execute(
            select(
                CampaignDaySpend.campaign_id, CampaignDaySpend.day, CampaignDaySpend.spend_micros
            ).where(among(CampaignDaySpend.campaign_id, chunk, _dialect(session)))
        ):
            spend.setdefault(cid, []).append((day, micros))
    return spend


def hourly_traffic(
    session: Session, campaign_ids: Sequence[int], *, before: date
) -> dict[int, list[float]]:
    """Events per local hour over the history window ending before `before`."""
    return _hourly_sums(session, campaign_ids, CampaignHourTraffic, "events", before=before)


def hourly_exposure(
    session: Session, campaign_ids: Sequence[int], *, before: date
) -> dict[int, list[float]]:
    """Throttle-seconds per local hour over the history window ending before `before`."""
    return _hourly_sums(
        session, campaign_ids, CampaignHourExposure, "throttle_seconds", before=before
    )


def ad_group_targeting(
    session: Session, campaign_ids: Sequence[int]
) -> dict[int, list[dict[str, Any]]]:
    """Per campaign, the targeting of each ad group that is not archived (for the shape
    its regions imply, `ads.pacing.domain.targeting`)."""
    out: dict[int, list[dict[str, Any]]] = {}
    for chunk in _chunks(campaign_ids):
        for cid, targeting in session.execute(
            select(AdGroup.campaign_id, AdGroup.targeting)
            .where(among(AdGroup.campaign_id, chunk, _dialect(session)))
            .where(AdGroup.status != DeliveryStatus.ARCHIVED)
            .order_by(AdGroup.campaign_id, AdGroup.id)
        ):
            out.setdefault(cid, []).append(targeting)
    return out


def _hourly_sums(
    session: Session,
    campaign_ids: Sequence[int],
    table: type[CampaignHourTraffic] | type[CampaignHourExposure],
    column: str,
    *,
    before: date,
) -> dict[int, list[float]]:
    """Per campaign, 24 sums of `column` by local hour over the profile history window."""
    sums: dict[int, list[float]] = {}
    since = before - timedelta(days=PROFILE_HISTORY_DAYS)
    for chunk in _chunks(campaign_ids):
        for cid, hour, total in session.execute(
            select(table.campaign_id, table.hour, func.sum(getattr(table, column)))
            .where(among(table.campaign_id, chunk, _dialect(session)))
            .where(table.day >= since, table.day < before)
            .group_by(table.campaign_id, table.hour)
        ):
            sums.setdefault(cid, [0.0] * 24)[hour] = float(total)
    return sums


def _dialect(session: Session) -> str:
    return session.connection().dialect.name


def _chunks(ids: Sequence[int]) -> Iterable[Sequence[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]
