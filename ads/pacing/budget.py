"""Budget rules as data: overdelivery allowances, hard caps and the lifetime daily allowance."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from functools import lru_cache

# One enum per concept across the code base: the campaign model stores these.
from ads.campaigns.rules import BillingEvent, BudgetType, PacingMode

__all__ = [
    "BudgetRule",
    "BudgetType",
    "PacingMode",
    "flight_days_remaining",
    "lifetime_daily_allowance",
    "single_charge_micros",
]


@dataclass(frozen=True)
class BudgetRule:
    """How far spend may go past a budget, as data rather than constants in the controller.

    `delivered_overdelivery_fraction` is how much more than the budget the platform may
    deliver (spend already in flight when the budget runs out lands here); the pacing
    controller never plans beyond the budget and hard-stops at budget * (1 + it).
    `charged_overdelivery_fraction` is how much of that the advertiser may be billed
    for (billing caps charges there); it can't exceed what may be delivered.
    """

    budget_type: BudgetType = BudgetType.DAILY
    charged_overdelivery_fraction: float = 0.0
    delivered_overdelivery_fraction: float = 0.01

    def __post_init__(self) -> None:
        charged = self.charged_overdelivery_fraction
        delivered = self.delivered_overdelivery_fraction
        if not (math.isfinite(charged) and math.isfinite(delivered)):
            raise ValueError("overdelivery fractions must be finite")
        if not 0 <= charged <= delivered:
            raise ValueError("need 0 <= charged overdelivery <= delivered overdelivery")

    def hard_cap_micros(self, budget_micros: int) -> int:
        """Most spend that may be delivered against this budget."""
        return _plus_fraction(budget_micros, self.delivered_overdelivery_fraction)

    def headroom_micros(self, budget_micros: int, spent_micros: int) -> int:
        """What may still be delivered under the hard cap after `spent_micros` (never < 0)."""
        return max(0, self.hard_cap_micros(budget_micros) - spent_micros)

    def charge_cap_micros(self, budget_micros: int) -> int:
        """Most spend that may be charged against this budget."""
        return _plus_fraction(budget_micros, self.charged_overdelivery_fraction)


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


def _plus_fraction(budget_micros: int, fraction: float) -> int:
    numerator, denominator = _decimal_ratio(fraction)
    return budget_micros + budget_micros * numerator // denominator  # floor, exactly


@lru_cache(maxsize=256)
def _decimal_ratio(fraction: float) -> tuple[int, int]:
    # Read the float as the decimal the person typed (0.29 means 29/100, not
    # 0.28999...), to the micro, so caps are exact integers. Cached: a handful of rules,
    # and the controller asks for every campaign on every tick.
    extra = Fraction(fraction).limit_denominator(1_000_000)
    return extra.numerator, extra.denominator
