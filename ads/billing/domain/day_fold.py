"""Pure day-close fold: bill consecutive days in order and turn targets into ledger rows.

A day may be closed again (late events beyond the allowance, a re-run after a crash):
the targets are recomputed from scratch and the ledger gets only the *differences* from
what it already holds, as new rows. Closing the same input twice adds nothing; the net
ledger for a day depends only on the delivered amounts and the budgets in force, never
on how many times or in which order the days were (re)closed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from ads.billing.domain.day_rules import CampaignBill, CampaignDay, bill_day
from ads.billing.domain.ledger import EntryKind
from ads.campaigns.rules import BudgetType


@dataclass(frozen=True)
class CampaignDelivery:
    campaign_id: int
    delivered_micros: int
    budget_type: BudgetType
    budget_micros: int


@dataclass(frozen=True)
class DeliveryDay:
    """One advertiser-day to bill: delivery per campaign and the limits in force at its end."""

    day: date
    campaigns: tuple[CampaignDelivery, ...]
    spend_limit_micros: int | None


@dataclass(frozen=True)
class EntryDraft:
    """A ledger row to append."""

    day: date
    campaign_id: int
    kind: EntryKind
    amount_micros: int


def bill_days(
    days: Sequence[DeliveryDay],
    *,
    account_charged_before: int,
    campaign_charged_before: Mapping[int, int],
) -> dict[date, list[CampaignBill]]:
    """Bill days in calendar order, carrying the lifetime and account totals forward."""
    assert [d.day for d in days] == sorted({d.day for d in days}), "days ascending, once each"
    account_total = account_charged_before
    campaign_totals = dict(campaign_charged_before)
    result: dict[date, list[CampaignBill]] = {}
    for item in days:
        remaining = (
            None if item.spend_limit_micros is None else item.spend_limit_micros - account_total
        )
        bills = bill_day(
            [
                CampaignDay(
                    campaign_id=c.campaign_id,
                    delivered_micros=c.delivered_micros,
                    budget_type=c.budget_type,
                    budget_micros=c.budget_micros,
                    charged_before_micros=campaign_totals.get(c.campaign_id, 0),
                )
                for c in item.campaigns
            ],
            account_remaining_micros=remaining,
        )
        for bill in bills:
            account_total += bill.billable_micros
            campaign_totals[bill.campaign_id] = (
                campaign_totals.get(bill.campaign_id, 0) + bill.billable_micros
            )
        result[item.day] = bills
    return result


def corrections(
    day: date, bills: Sequence[CampaignBill], posted: Mapping[tuple[int, EntryKind], int]
) -> list[EntryDraft]:
    """Rows that bring the day's posted CHARGE and credit sums to the targets (no zero rows).

    `posted` holds the day's current net sums per (campaign, kind); campaigns posted
    earlier but absent from `bills` are brought back to zero.
    """
    targets: dict[tuple[int, EntryKind], int] = {}
    for bill in bills:
        targets[(bill.campaign_id, EntryKind.CHARGE)] = bill.billable_micros
        targets[(bill.campaign_id, EntryKind.OVERDELIVERY_CREDIT)] = bill.overdelivery_micros
    keys = sorted(
        {k for k in targets} | {k for k in posted if k[1] is not EntryKind.ADJUSTMENT},
        key=lambda k: (k[0], k[1].value),
    )
    drafts = []
    for campaign_id, kind in keys:
        delta = targets.get((campaign_id, kind), 0) - posted.get((campaign_id, kind), 0)
        if delta:
            drafts.append(EntryDraft(day, campaign_id, kind, delta))
    return drafts
