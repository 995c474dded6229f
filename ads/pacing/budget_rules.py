"""Which BudgetRule applies to which budget, and how the API explains it (data, not code).

Ours: at most 1% delivered over a budget (spend already in flight when it runs out), and
none of it charged. The big platforms allow more and credit the excess (Google Ads lets a
day run up to 2x the daily budget within the month's limit; Meta up to +75% on a day,
LinkedIn +50%); we pace to the budget and refuse to plan beyond it.
"""

from __future__ import annotations

from ads.campaigns.rules import BudgetType
from ads.pacing.budget import BudgetRule

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
