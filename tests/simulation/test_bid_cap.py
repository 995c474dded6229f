"""The ad server's side of the budget-aware bid cap, on cases worked out by hand."""

from __future__ import annotations

from ads.campaigns.rules import BillingEvent
from ads.simulation.market.auction import charge_micros
from ads.simulation.market.loop import _Group, _rank, capped_bid_micros
from ads.simulation.strategies.production import Production


def test_a_cpc_bid_is_capped_at_the_cap_and_a_cpm_bid_at_1000_times_it() -> None:
    assert capped_bid_micros(BillingEvent.CLICK, 5_000_000, 1_200_000) == 1_200_000
    assert capped_bid_micros(BillingEvent.CLICK, 5_000_000, 9_000_000) == 5_000_000
    assert capped_bid_micros(BillingEvent.IMPRESSION, 2_500_000, 1_000) == 1_000_000
    assert capped_bid_micros(BillingEvent.IMPRESSION, 2_500_000, None) == 2_500_000


def test_a_capped_group_ranks_by_its_capped_bid_and_is_charged_at_most_the_cap() -> None:
    # CPC 5 USD at CTR 2%: eCPM 100 USD; capped at 1 USD a click: eCPM 20 USD, below
    # the uncapped CPM 30 USD rival, which now ranks first.
    cpc = _Group(0, 0, BillingEvent.CLICK, 5_000_000, 0.02, 1.0, 100e6, 0.0, 1.0, frozenset("a"))
    cpm = _Group(1, 0, BillingEvent.IMPRESSION, 30e6, 0.01, 1.0, 30e6, 0.0, 1.0, frozenset("a"))
    ranked, bids = _rank([cpc, cpm], {0: 1.0, 1: 1.0}, {0: 0, 1: 0}, {0: 1_000_000})
    assert [(c.key, c.ecpm) for c in ranked["a"]] == [(1, 30e6), (0, 20e6)]
    assert bids == {0: 1_000_000}
    # Even a second price above the capped eCPM cannot charge more than the capped bid.
    charge = charge_micros(
        50e6, billing=BillingEvent.CLICK, bid_micros=bids[0], ctr=0.02, usd_per_unit=1.0
    )
    assert charge == 1_000_000


def test_the_production_strategy_publishes_its_decisions_bid_cap() -> None:
    strategy = Production()
    assert strategy.bid_cap(7) is None  # never decided
    strategy.caps[7] = 1_234
    assert strategy.bid_cap(7) == 1_234
