"""Property tests of the pure day-close rules: caps, conservation, determinism."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from ads.billing.domain.day_fold import CampaignDelivery, DeliveryDay, bill_days, corrections
from ads.billing.domain.day_rules import CampaignDay, allocate, bill_day, campaign_cap
from ads.billing.domain.ledger import EntryKind
from ads.campaigns.rules import BudgetType

micros = st.integers(min_value=0, max_value=10**12)

campaign_days = st.lists(
    st.builds(
        CampaignDay,
        campaign_id=st.integers(1, 50),
        delivered_micros=micros,
        budget_type=st.sampled_from(BudgetType),
        budget_micros=micros,
        charged_before_micros=micros,
    ),
    max_size=8,
    unique_by=lambda c: c.campaign_id,
)


@given(campaign_days, st.none() | micros)
def test_nothing_is_charged_above_any_cap_and_charge_plus_credit_is_delivered(
    campaigns: list[CampaignDay], remaining: int | None
) -> None:
    bills = bill_day(campaigns, account_remaining_micros=remaining)
    by_id = {c.campaign_id: c for c in campaigns}
    for bill in bills:
        source = by_id[bill.campaign_id]
        assert 0 <= bill.billable_micros <= min(source.delivered_micros, campaign_cap(source))
        assert bill.billable_micros + bill.overdelivery_micros == source.delivered_micros
    if remaining is not None:
        assert sum(b.billable_micros for b in bills) <= remaining


@given(campaign_days, micros)
def test_the_account_limit_is_used_fully_when_it_binds(
    campaigns: list[CampaignDay], remaining: int
) -> None:
    bills = bill_day(campaigns, account_remaining_micros=remaining)
    capped = sum(min(c.delivered_micros, campaign_cap(c)) for c in campaigns)
    assert sum(b.billable_micros for b in bills) == min(capped, remaining)


@given(campaign_days, st.none() | micros, st.randoms())
def test_bill_day_ignores_input_order(
    campaigns: list[CampaignDay], remaining: int | None, rnd: object
) -> None:
    shuffled = list(campaigns)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    assert bill_day(campaigns, account_remaining_micros=remaining) == bill_day(
        shuffled, account_remaining_micros=remaining
    )


def test_allocation_is_proportional_with_largest_remainders_and_ties_to_lower_id() -> None:
    assert allocate([(1, 100), (2, 100), (3, 100)], 100) == {1: 34, 2: 33, 3: 33}
    assert allocate([(7, 10), (3, 30)], 20) == {7: 5, 3: 15}
    assert allocate([(1, 5)], 10) == {1: 5}


def test_lifetime_cap_is_budget_minus_earlier_charges() -> None:
    day = CampaignDay(1, 900, BudgetType.LIFETIME, 1000, charged_before_micros=700)
    [bill] = bill_day([day], account_remaining_micros=None)
    assert (bill.billable_micros, bill.overdelivery_micros) == (300, 600)


delivery_days = st.lists(
    st.lists(
        st.builds(
            CampaignDelivery,
            campaign_id=st.integers(1, 4),
            delivered_micros=micros,
            budget_type=st.sampled_from(BudgetType),
            budget_micros=micros,
        ),
        max_size=4,
        unique_by=lambda c: c.campaign_id,
    ),
    min_size=1,
    max_size=6,
)


@given(delivery_days, st.none() | micros)
def test_over_many_days_the_lifetime_and_account_caps_hold(
    per_day: list[list[CampaignDelivery]], limit: int | None
) -> None:
    start = date(2026, 3, 1)
    days = [DeliveryDay(start + timedelta(days=i), tuple(c), limit) for i, c in enumerate(per_day)]
    billed = bill_days(days, account_charged_before=0, campaign_charged_before={})
    total = sum(b.billable_micros for bills in billed.values() for b in bills)
    if limit is not None:
        assert total <= limit
    running: dict[int, int] = {}
    for item in days:
        budgets = {c.campaign_id: c for c in item.campaigns}
        for bill in billed[item.day]:
            source = budgets[bill.campaign_id]
            before = running.get(bill.campaign_id, 0)
            if source.budget_type is BudgetType.LIFETIME:
                assert bill.billable_micros <= max(0, source.budget_micros - before)
            else:
                assert bill.billable_micros <= source.budget_micros
            running[bill.campaign_id] = before + bill.billable_micros


@given(campaign_days, st.none() | micros)
def test_reclosing_a_day_adds_only_differences_and_nothing_when_unchanged(
    campaigns: list[CampaignDay], remaining: int | None
) -> None:
    day = date(2026, 3, 1)
    bills = bill_day(campaigns, account_remaining_micros=remaining)
    first = corrections(day, bills, {})
    posted: dict[tuple[int, EntryKind], int] = {}
    for draft in first:
        key = (draft.campaign_id, draft.kind)
        posted[key] = posted.get(key, 0) + draft.amount_micros
    assert corrections(day, bills, posted) == []
    assert corrections(day, [], posted) == [
        type(d)(d.day, d.campaign_id, d.kind, -d.amount_micros) for d in first
    ]
