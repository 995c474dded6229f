"""Budget arithmetic of pacing: the lifetime daily allowance, flight days, one charge's cost.

The overdelivery rule itself (hard cap, charge cap) is `ads.campaigns.budget_rules`,
which billing reads too.
"""

from __future__ import annotations

from datetime import date

from ads.campaigns.rules import BillingEvent


def lifetime_daily_allowance(
    lifetime_budget_micros: int,
    spent_before_today_micros: int,
    remaining_days_including_today: int,
) -> int:
    """Today's budget for a LIFETIME campaign: what is left, spread evenly over the days left.

    Recomputed every day from what was actually spent, so unspent budget carries forward
    (and overdelivery is taken back). Floor division keeps the sum of the days within the
    lifetime budget; the last day gets all that remains, so nothing is stranded.
    """
    if remaining_days_including_today < 0:
        raise ValueError("remaining days can't be negative")
    remaining = max(0, lifetime_budget_micros - spent_before_today_micros)
    if remaining_days_including_today == 0:
        return 0
    return remaining // remaining_days_including_today


def flight_days_remaining(today: date, last_day: date) -> int:
    """Local days left in a flight, today included (0 once the last day is past)."""
    return max(0, (last_day - today).days + 1)


def single_charge_micros(bid_micros: int, billing_event: BillingEvent) -> int:
    """The most one billable event of an ad group can cost: the controller's `max_charge`.

    A CPC bid is paid per click, at most the bid; a CPM bid is per thousand impressions,
    so one impression costs at most bid / 1000, rounded up to a whole micro (what the
    auction rounds a charge to).
    """
    if billing_event is BillingEvent.CLICK:
        return bid_micros
    return -(-bid_micros // 1000)
