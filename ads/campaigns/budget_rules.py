"""The overdelivery rule of each budget type, as data: read by pacing and billing alike.

Pacing never plans beyond the budget and stops delivery at the hard cap; billing never
charges beyond the charge cap. Both read the one `BudgetRule` of a budget type here.

Ours: at most 1% delivered over a budget (spend already in flight when it runs out), and
none of it charged. The big platforms allow more and credit the excess (Google Ads lets a
day run up to 2x the daily budget within the month's limit; Meta up to +75% on a day,
LinkedIn +50%); we pace to the budget and refuse to plan beyond it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

from ads.campaigns.rules import BudgetType


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


BUDGET_RULES: dict[BudgetType, BudgetRule] = {
    BudgetType.DAILY: BudgetRule(BudgetType.DAILY),
    BudgetType.LIFETIME: BudgetRule(BudgetType.LIFETIME),
}


def rule_for(budget_type: BudgetType) -> BudgetRule:
    return BUDGET_RULES[budget_type]


def describe(rule: BudgetRule) -> str:
    """One sentence for API descriptions and the dashboard."""
    delivered = _percent(rule.delivered_overdelivery_fraction)
    charged = _percent(rule.charged_overdelivery_fraction)
    period = "a day" if rule.budget_type is BudgetType.DAILY else "the flight"
    charge = "none of it is charged" if charged == "0%" else f"at most {charged} is charged"
    return (
        f"Delivery may exceed the {rule.budget_type.value} budget over {period} by at most "
        f"{delivered} (spend already in flight when it runs out); {charge}."
    )


def _percent(fraction: float) -> str:
    return f"{fraction * 100:g}%"


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
