"""Enough traffic, by hand: a high bidder running out early makes no low one "able to fill"."""

from __future__ import annotations

from ads.simulation.market.scenario import parse_scenario
from ads.simulation.runner import simulate

# One UTC region with flat traffic (10 a minute), outside demand fixed at a $1 CPM,
# two CPM campaigns on the same users: "high" bids $3 CPM, "low" $2 CPM, $1 a day each.
MARKET = {
    "name": "two bidders",
    "traffic": {
        "opportunities_per_day": 14_400,
        "amplitude": 0.0,
        "regions": [{"name": "here", "timezone": "UTC"}],
        "surges": [],
    },
    "competition": {"background_cpm_median_micros": 1_000_000, "background_sigma": 0.0},
    "campaigns": [
        {"name": "high", "timezone": "UTC", "budget_micros": 1_000_000,
         "ad_groups": [{"bid_micros": 3_000_000}]},
        {"name": "low", "timezone": "UTC", "budget_micros": 1_000_000,
         "ad_groups": [{"bid_micros": 2_000_000}]},
    ],
}  # fmt: skip


def test_only_the_campaign_that_wins_against_full_competition_has_enough_traffic() -> None:
    result = simulate(parse_scenario(MARKET), seed=3, strategies=["no_pacing"])
    assert result.capacity is not None
    high, low = result.capacity.days[0, 0], result.capacity.days[1, 0]
    # Everybody in every auction: "high" wins them all and pays "low"'s $2 CPM, 2,000
    # micros an impression; "low" never wins.
    assert high.impressions > 10_000
    assert sum(high.spend_per_minute) == 2_000 * high.impressions
    assert (low.impressions, sum(low.spend_per_minute)) == (0, 0)
    enough = {d.campaign: d.enough_traffic for d in result.days["no_pacing"]}
    assert enough == {0: True, 1: False}
    # Without pacing "high" is out of budget within the first hours and "low" then fills
    # its own budget on the leftovers: the no-pacing run alone would have counted it.
    no_pacing = {d.campaign: d.utilization for d in result.days["no_pacing"]}
    assert no_pacing[1] >= 1.0
