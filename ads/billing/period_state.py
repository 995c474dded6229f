"""Whether a period is closed — every day of it billed, so its ledger rows are final — and,
when it is not, why, in words an operator can act on.

A period is closed for a set of advertisers when, in each of their timezones, its last
day is due (its end plus the late-event allowance is behind the instant up to which
every received event is aggregated, as `ads.billing.day_close` decides) and every day
of it with delivery has been closed. A day without delivery needs nothing but time: it
is closable once its allowance has passed, from the first second the system runs. Only
then do re-runs of an export give the same bytes; the one exception is an event
arriving after the allowance, which re-closes its day with correcting entries (and a
new export of the period then supersedes the earlier one).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from ads.accounts.models import Advertiser
from ads.billing.aggregation import complete_through, read_watermark
from ads.billing.day_close import last_due_day
from ads.billing.models import DayClose, HourlyDelivery
from ads.time import day_bounds, iso_utc, zone


@dataclass(frozen=True)
class PeriodState:
    closed: bool
    #: Why the period is still open (None when closed).
    reason: str | None = None


def period_state(
    session: Session,
    *,
    advertiser_ids: Sequence[int] | None,
    date_from: date,
    date_to: date,
    allowance_seconds: int,
    settle_seconds: int,
    now: datetime,
) -> PeriodState:
    """The state of the period for these advertisers (None: all of them) as of `now`."""
    complete = complete_through(session, now=now, settle_seconds=settle_seconds)
    allowance = timedelta(seconds=allowance_seconds)
    timezones = select(Advertiser.timezone).distinct().order_by(Advertiser.timezone)
    if advertiser_ids is not None:
        timezones = timezones.where(Advertiser.id.in_(advertiser_ids))
    for tz in session.scalars(timezones):
        if last_due_day(tz, complete, allowance) >= date_to:
            continue
        closable = day_bounds(date_to, zone(tz))[1] + allowance + timedelta(seconds=settle_seconds)
        if closable > now:
            return PeriodState(
                False,
                f"late events of {date_to.isoformat()} in {tz} are accepted until "
                f"{iso_utc(closable - timedelta(seconds=settle_seconds))} (its end plus "
                "ADS_BILLING_LATE_ALLOWANCE_SECONDS), so the period can be closed from "
                f"{iso_utc(closable)}",
            )
        return PeriodState(
            False,
            f"events received since {iso_utc(read_watermark(session))} are not aggregated "
            "yet: the billing workers aggregate every minute, or run `ads billing aggregate`",
        )
    unclosed = select(
        HourlyDelivery.advertiser_id, HourlyDelivery.day, func.count().over().label("days")
    ).where(
        HourlyDelivery.day >= date_from,
        HourlyDelivery.day <= date_to,
        ~exists().where(
            DayClose.advertiser_id == HourlyDelivery.advertiser_id,
            DayClose.day == HourlyDelivery.day,
        ),
    )
    if advertiser_ids is not None:
        unclosed = unclosed.where(HourlyDelivery.advertiser_id.in_(advertiser_ids))
    first = session.execute(
        unclosed.group_by(HourlyDelivery.advertiser_id, HourlyDelivery.day)
        .order_by(HourlyDelivery.day, HourlyDelivery.advertiser_id)
        .limit(1)
    ).first()
    if first is None:
        return PeriodState(True)
    advertiser_id, day, days = first
    more = f" (and {days - 1} more advertiser-days)" if days > 1 else ""
    return PeriodState(
        False,
        f"advertiser {advertiser_id}'s day {day.isoformat()} has delivery that is not "
        f"billed yet{more}: the billing workers close due days every few minutes, or run "
        "`ads billing close-days`",
    )
