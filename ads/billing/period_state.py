"""Whether a period is closed: every day of it billed, so its ledger rows are final.

A period is closed for a set of advertisers when, in each of their timezones, its last
day is due (its end plus the late-event allowance is behind the aggregation watermark,
as `ads.billing.day_close` decides) and every day of it with delivery has been closed.
Only then do re-runs of an export give the same bytes; the one exception is an event
arriving after the allowance, which re-closes its day with correcting entries.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from ads.accounts.models import Advertiser
from ads.billing.aggregation import read_watermark
from ads.billing.day_close import last_due_day
from ads.billing.models import DayClose, HourlyDelivery


def period_closed(
    session: Session,
    *,
    advertiser_ids: Sequence[int] | None,
    date_from: date,
    date_to: date,
    allowance_seconds: int,
) -> bool:
    """True when the period is closed for these advertisers (None: all of them)."""
    watermark = read_watermark(session)
    allowance = timedelta(seconds=allowance_seconds)
    timezones = select(Advertiser.timezone).distinct()
    if advertiser_ids is not None:
        timezones = timezones.where(Advertiser.id.in_(advertiser_ids))
    if any(last_due_day(tz, watermark, allowance) < date_to for tz in session.scalars(timezones)):
        return False
    unclosed = select(HourlyDelivery.advertiser_id).where(
        HourlyDelivery.day >= date_from,
        HourlyDelivery.day <= date_to,
        ~exists().where(
            DayClose.advertiser_id == HourlyDelivery.advertiser_id,
            DayClose.day == HourlyDelivery.day,
        ),
    )
    if advertiser_ids is not None:
        unclosed = unclosed.where(HourlyDelivery.advertiser_id.in_(advertiser_ids))
    return session.scalar(unclosed.limit(1)) is None
