"""Day close: turn an advertiser's aggregated delivery into ledger rows, day by day.

A local day D is due when its end plus `billing_late_allowance_seconds` is behind the
aggregation watermark (so every event received in the allowance is aggregated). Days
are billed in calendar order because lifetime budgets and the account limit carry over.
A closed day whose aggregated delivery no longer matches its ledger (a late event past
the allowance) is re-closed, and so is every later closed day, each getting only the
correcting rows (see `ads.billing.domain.day_fold`). Running this twice changes nothing.

Each run looks back only `reclose_window_days` before the last due day for days to
re-close, plus every day after the advertiser's last closed day (so days never closed,
after an outage of any length, are always billed). An event that arrives later than the
window is not re-closed automatically: reconciliation lists the day, and finance
corrects it with an adjustment. Charges before the first day re-billed still count
(lifetime budgets, spend limit) through one SUM over the ledger.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ads.accounts.models import Advertiser
from ads.billing.aggregation import read_watermark
from ads.billing.budgets_in_force import BudgetHistory
from ads.billing.domain.day_fold import CampaignDelivery, DeliveryDay, bill_days, corrections
from ads.billing.domain.ledger import EntryKind
from ads.billing.models import DayClose, HourlyDelivery, LedgerEntry
from ads.time import day_bounds, local_day, zone

SYSTEM_ACTOR = "billing"
#: How far back, in local days, closed days are checked for late events (Settings).
#: Ingestion refuses events older than `ads.ingestion.rules.MAX_EVENT_AGE` (7 days), so
#: 35 covers every late event it accepts, with room for a long aggregation outage.
RECLOSE_WINDOW_DAYS = 35


@dataclass(frozen=True)
class CloseResult:
    advertiser_id: int
    closed: tuple[date, ...]


def last_due_day(timezone: str, watermark: datetime, allowance: timedelta) -> date:
    """The latest local day of `timezone` whose end plus the allowance is behind the watermark."""
    tz = zone(timezone)
    candidate = local_day(watermark - allowance, tz)
    while day_bounds(candidate, tz)[1] + allowance > watermark:
        candidate -= timedelta(days=1)
    return candidate


def close_due_days(
    session: Session,
    *,
    allowance_seconds: int,
    reclose_window_days: int = RECLOSE_WINDOW_DAYS,
    through: datetime | None = None,
    advertiser_ids: Collection[int] | None = None,
) -> list[CloseResult]:
    """Close every due day of every advertiser with delivery (or of `advertiser_ids`);
    re-close recent ones.

    `through` is the instant before which every received event is aggregated
    (`ads.billing.aggregation.complete_through`); by default the aggregation watermark.
    """
    complete = read_watermark(session) if through is None else through
    query = select(HourlyDelivery.advertiser_id).distinct()
    if advertiser_ids is not None:
        query = query.where(HourlyDelivery.advertiser_id.in_(sorted(advertiser_ids)))
    ids = session.scalars(query).all()
    results = []
    for advertiser_id in sorted(ids):
        advertiser = session.get(Advertiser, advertiser_id)
        if advertiser is None:
            continue
        allowance = timedelta(seconds=allowance_seconds)
        due = last_due_day(advertiser.timezone, complete, allowance)
        since = _scan_start(session, advertiser.id, due - timedelta(days=reclose_window_days))
        results.append(close_advertiser(session, advertiser, through=due, since=since))
    return results


def _scan_start(session: Session, advertiser_id: int, window_start: date) -> date | None:
    """The window's first day, or earlier when days after the last closed one predate it."""
    last_closed = session.scalar(
        select(func.max(DayClose.day)).where(DayClose.advertiser_id == advertiser_id)
    )
    if last_closed is None:
        return None  # never closed: every day is new
    return min(window_start, last_closed + timedelta(days=1))


def close_advertiser(
    session: Session, advertiser: Advertiser, *, through: date, since: date | None = None
) -> CloseResult:
    """Bill the advertiser's days up to `through`, from its earliest unclosed or dirty day
    on or after `since` (None: all of its days)."""
    start = since or date.min
    delivered = _delivered(session, advertiser.id, start, through)
    posted = _posted(session, advertiser.id, start, through)
    closed_days = set(
        session.scalars(
            select(DayClose.day)
            .where(DayClose.advertiser_id == advertiser.id, DayClose.day >= start)
            .distinct()
        )
    )
    dirty = [
        day
        for day in sorted(set(delivered) | set(posted))
        if day not in closed_days or _net(posted.get(day, {})) != _nonzero(delivered.get(day, {}))
    ]
    if not dirty:
        session.rollback()
        return CloseResult(advertiser.id, ())
    first = dirty[0]
    to_bill = sorted(day for day in set(delivered) | set(posted) if day >= first)
    history = BudgetHistory(session, advertiser)
    tz = zone(advertiser.timezone)
    plan = []
    for day in to_bill:
        end = day_bounds(day, tz)[1]
        campaigns = []
        for campaign_id, amount in sorted(delivered.get(day, {}).items()):
            kind, budget = history.campaign_budget(campaign_id, end)
            campaigns.append(CampaignDelivery(campaign_id, amount, kind, budget))
        plan.append(DeliveryDay(day, tuple(campaigns), history.spend_limit(end)))
    before_account, before_campaigns = _charged_before(session, advertiser.id, first)
    billed = bill_days(
        plan, account_charged_before=before_account, campaign_charged_before=before_campaigns
    )
    closed = []
    for day in to_bill:
        drafts = corrections(day, billed[day], posted.get(day, {}))
        if not drafts and day in closed_days:
            continue
        close = DayClose(
            advertiser_id=advertiser.id,
            day=day,
            revision=_next_revision(session, advertiser.id, day),
            delivered_micros=sum(b.delivered_micros for b in billed[day]),
            billable_micros=sum(b.billable_micros for b in billed[day]),
            overdelivery_micros=sum(b.overdelivery_micros for b in billed[day]),
        )
        session.add(close)
        session.flush()
        session.add_all(
            LedgerEntry(
                advertiser_id=advertiser.id,
                campaign_id=d.campaign_id,
                day=day,
                kind=d.kind,
                amount_micros=d.amount_micros,
                currency=advertiser.currency,
                day_close_id=close.id,
                created_by=SYSTEM_ACTOR,
            )
            for d in drafts
        )
        closed.append(day)
    session.commit()
    return CloseResult(advertiser.id, tuple(closed))


def _delivered(
    session: Session, advertiser_id: int, start: date, through: date
) -> dict[date, dict[int, int]]:
    rows = session.execute(
        select(
            HourlyDelivery.day, HourlyDelivery.campaign_id, func.sum(HourlyDelivery.spend_micros)
        )
        .where(
            HourlyDelivery.advertiser_id == advertiser_id,
            HourlyDelivery.day >= start,
            HourlyDelivery.day <= through,
        )
        .group_by(HourlyDelivery.day, HourlyDelivery.campaign_id)
    )
    result: dict[date, dict[int, int]] = defaultdict(dict)
    for day, campaign_id, amount in rows:
        result[day][campaign_id] = int(amount)
    return result


def _posted(
    session: Session, advertiser_id: int, start: date, through: date
) -> dict[date, dict[tuple[int, EntryKind], int]]:
    """Net CHARGE and credit sums per day and (campaign, kind), zero sums left out."""
    rows = session.execute(
        select(
            LedgerEntry.day,
            LedgerEntry.campaign_id,
            LedgerEntry.kind,
            func.sum(LedgerEntry.amount_micros),
        )
        .where(
            LedgerEntry.advertiser_id == advertiser_id,
            LedgerEntry.day >= start,
            LedgerEntry.day <= through,
            LedgerEntry.kind != EntryKind.ADJUSTMENT,
        )
        .group_by(LedgerEntry.day, LedgerEntry.campaign_id, LedgerEntry.kind)
    )
    result: dict[date, dict[tuple[int, EntryKind], int]] = defaultdict(dict)
    for day, campaign_id, kind, amount in rows:
        if amount and campaign_id is not None:  # day-close rows always have a campaign
            result[day][(campaign_id, EntryKind(kind))] = int(amount)
    return result


def _net(posted: dict[tuple[int, EntryKind], int]) -> dict[int, int]:
    """Charges + credits per campaign: what the ledger says was delivered."""
    total: dict[int, int] = defaultdict(int)
    for (campaign_id, _kind), amount in posted.items():
        total[campaign_id] += amount
    return {k: v for k, v in total.items() if v}


def _nonzero(amounts: dict[int, int]) -> dict[int, int]:
    return {k: v for k, v in amounts.items() if v}


def _charged_before(session: Session, advertiser_id: int, day: date) -> tuple[int, dict[int, int]]:
    rows = session.execute(
        select(LedgerEntry.campaign_id, func.sum(LedgerEntry.amount_micros))
        .where(
            LedgerEntry.advertiser_id == advertiser_id,
            LedgerEntry.day < day,
            LedgerEntry.kind == EntryKind.CHARGE,
        )
        .group_by(LedgerEntry.campaign_id)
    ).all()
    per_campaign = {int(cid): int(amount) for cid, amount in rows if cid is not None}
    return sum(per_campaign.values()), per_campaign


def _next_revision(session: Session, advertiser_id: int, day: date) -> int:
    current = session.scalar(
        select(func.max(DayClose.revision)).where(
            DayClose.advertiser_id == advertiser_id, DayClose.day == day
        )
    )
    return (current or 0) + 1
