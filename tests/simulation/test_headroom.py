"""The ad server's side of the headroom under the hard cap, on cases worked out by hand."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from ads.campaigns.rules import BillingEvent
from ads.simulation.backends.memory import Headroom, SpendEvent
from ads.simulation.market.book import build_book
from ads.simulation.market.loop import _capped_by_headroom, _Group, _left, _rank, run_market
from ads.simulation.market.population import all_campaigns, usd_rates
from ads.simulation.market.scenario import parse_scenario

START = datetime.fromisoformat("2026-06-10T00:00:00+00:00")


def at(minute: int) -> datetime:
    return START + timedelta(minutes=minute)


def test_what_is_left_is_the_limit_less_spend_that_reached_ingestion_after_its_tick() -> None:
    # Limit 1,000 as of minute 10: spend that arrived at minute 8 is in it; spend that
    # arrived at 11 and is due at 15 (still in transit) is the ad server's own count.
    unseen = {(0, 0): {8: 100, 11: 200, 15: 50}}
    left = _left({0: Headroom(0, 1_000, at(10))}, unseen, {0: 0}, START)
    assert left == {0: 750}
    assert unseen[0, 0] == {11: 200, 15: 50}  # what the limit counts is forgotten


def test_a_limit_for_another_day_does_not_apply() -> None:
    assert _left({0: Headroom(0, 1_000, at(10))}, {}, {0: 1}, START) == {}
    assert _left({0: Headroom(0, 1_000, at(10))}, {}, {}, START) == {}


def test_what_is_left_caps_the_bid_below_the_bid_cap_and_nothing_left_stops() -> None:
    assert _capped_by_headroom({1: 500}, {1: 300, 2: 800}) == {1: 300, 2: 800}
    assert _capped_by_headroom({1: 500}, {1: 900}) == {1: 500}
    cpc = _Group(0, 0, BillingEvent.CLICK, 5_000_000, 0.02, 1.0, 100e6, 0.0, 1.0, frozenset("a"))
    cpm = _Group(1, 0, BillingEvent.IMPRESSION, 30e6, 0.01, 1.0, 30e6, 0.0, 1.0, frozenset("a"))
    ranked, bids = _rank([cpc, cpm], {0: 1.0, 1: 1.0}, {0: 0, 1: 0}, {0: 0, 1: 4_000})
    assert [c.key for c in ranked["a"]] == [1]  # nothing left: out of the auction
    assert bids == {1: 4_000_000}  # CPM: 4,000 micros an impression at most


# One UTC region, 20 opportunities a minute, outside demand at a $1 CPM: a $4 CPM
# campaign with a $1 budget wins everything, 1,000 micros an impression, far more than
# its budget, with events reaching ingestion 10 to 20 minutes late.
MARKET = {
    "name": "one bidder",
    "traffic": {
        "opportunities_per_day": 28_800,
        "amplitude": 0.0,
        "regions": [{"name": "here", "timezone": "UTC"}],
        "surges": [],
    },
    "delays": {"event_delay_seconds": 600, "event_jitter_mean_seconds": 300,
               "tick_seconds": 60, "poll_seconds": 300},
    "competition": {"background_cpm_median_micros": 1_000_000, "background_sigma": 0.0},
    "campaigns": [{"name": "small", "timezone": "UTC", "budget_micros": 1_000_000,
                   "ad_groups": [{"bid_micros": 4_000_000}]}],
}  # fmt: skip


class _Reported:
    """Throttle 1 always; a limit of `limit` less the spend reported, if `limit` is set."""

    def __init__(self, limit: int | None) -> None:
        self.limit, self.reported, self.limits = limit, 0, {}

    def ingest(self, now: datetime, events: Sequence[SpendEvent]) -> None:
        self.reported += sum(e.cost_micros for e in events)

    def tick(self, now: datetime) -> dict[int, float]:
        if self.limit is not None:
            self.limits = {0: Headroom(0, max(0, self.limit - self.reported), now)}
        return {0: 1.0}

    def bid_caps(self) -> dict[int, int]:
        return {}

    def headrooms(self) -> dict[int, Headroom]:
        return self.limits

    def day_budget(self, key: int, day: int) -> int:
        return 1_000_000


def _delivered(limit: int | None) -> int:
    scenario = parse_scenario(MARKET)
    book = build_book(scenario, all_campaigns(scenario), usd_rates(scenario), scenario.days)
    run = run_market(scenario, book, _Reported(limit), seed=5)
    return sum(run.days[0, 0].spend_per_minute)


def test_the_ad_server_never_spends_past_the_limit_though_events_are_late() -> None:
    assert _delivered(None) > 20 * 1_010_000  # unlimited: the whole day's traffic
    # 1,010,000 is 1,010 impressions at 1,000 each: it stops exactly there.
    assert _delivered(1_010_000) == 1_010_000
    # A limit between two charges: the last impression that fits, not one more.
    assert _delivered(1_010_500) == 1_010_000
