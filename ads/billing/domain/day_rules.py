"""Pure day-close rules: what of a day's delivered spend is billable, and what is credited.

The caps, applied in this order for one advertiser and one local day:

1. **Campaign budget in force** (see `ads.billing.domain.budget_history`: the value at the *end* of
   the local day). DAILY: the budget is the cap for the day. LIFETIME: the cap is the
   budget minus what the campaign was already charged on earlier days of its flight.
2. **Account spend limit** (`Advertiser.spend_limit_micros`, None = no limit): a cap on
   the sum of CHARGE entries over the account's whole life. ADJUSTMENT entries made by
   finance do not consume it (they are corrections, not delivery). When the day's
   campaign-capped amounts exceed what is left under the limit, what is left is shared
   in proportion to each campaign's capped amount, by the largest-remainder method,
   ties to the lower campaign id — deterministic, and never more than asked.

Everything delivered beyond the caps is an overdelivery credit: for every campaign,
charge + credit = delivered, exactly, in micros.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ads.campaigns.budget_rules import rule_for
from ads.campaigns.rules import BudgetType


@dataclass(frozen=True)
class CampaignDay:
    """One campaign's delivery on one local day and the budget in force for it."""

    campaign_id: int
    delivered_micros: int
    budget_type: BudgetType
    budget_micros: int
    #: LIFETIME only: CHARGE entries of the campaign on earlier days.
    charged_before_micros: int = 0

    def __post_init__(self) -> None:
        assert self.delivered_micros >= 0, "delivered spend is never negative"
        assert self.budget_micros >= 0, "a budget is never negative"


@dataclass(frozen=True)
class CampaignBill:
    """The outcome for one campaign-day: billable + overdelivery = delivered."""

    campaign_id: int
    delivered_micros: int
    billable_micros: int
    overdelivery_micros: int


def campaign_cap(day: CampaignDay) -> int:
    """The most this campaign may be charged for this day by its own budget.

    The budget type's rule sets the charge cap (`ads.campaigns.budget_rules`, which
    pacing reads too). DAILY: the cap is the day's. LIFETIME: the flight's, less what
    earlier days were charged.
    """
    cap = rule_for(day.budget_type).charge_cap_micros(day.budget_micros)
    if day.budget_type is BudgetType.DAILY:
        return cap
    return max(0, cap - day.charged_before_micros)


def allocate(amounts: Sequence[tuple[int, int]], available: int) -> dict[int, int]:
    """Share `available` micros over (key, wanted) pairs, never giving anyone more than wanted.

    Proportional shares floored, then the leftover micros one by one to the largest
    remainders (ties: lower key first). Deterministic whatever the input order.
    """
    assert available >= 0
    wanted_total = sum(w for _, w in amounts)
    if wanted_total <= available:
        return dict(amounts)
    shares: dict[int, int] = {}
    remainders: list[tuple[int, int]] = []
    for key, wanted in amounts:
        share, remainder = divmod(wanted * available, wanted_total)
        shares[key] = share
        remainders.append((remainder, key))
    leftover = available - sum(shares.values())
    for _remainder, key in sorted(remainders, key=lambda r: (-r[0], r[1]))[:leftover]:
        shares[key] += 1
    return shares


def bill_day(
    campaigns: Sequence[CampaignDay], *, account_remaining_micros: int | None
) -> list[CampaignBill]:
    """Bill one advertiser-day; `account_remaining_micros` None means no account limit."""
    ids = [c.campaign_id for c in campaigns]
    assert len(ids) == len(set(ids)), "one CampaignDay per campaign"
    capped = {c.campaign_id: min(c.delivered_micros, campaign_cap(c)) for c in campaigns}
    if account_remaining_micros is not None:
        capped = allocate(sorted(capped.items()), max(0, account_remaining_micros))
    return [
        CampaignBill(
            campaign_id=c.campaign_id,
            delivered_micros=c.delivered_micros,
            billable_micros=capped[c.campaign_id],
            overdelivery_micros=c.delivered_micros - capped[c.campaign_id],
        )
        for c in sorted(campaigns, key=lambda c: c.campaign_id)
    ]
