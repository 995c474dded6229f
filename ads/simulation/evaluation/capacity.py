"""Which campaign-days have enough traffic to fill their budget, independently of any strategy.

A campaign "has enough traffic" on a day when, in a counterfactual replay of the same
opportunities where **every** campaign stays in every auction all day (throttle 1, no
budget stop, nobody runs out), what it would win at second price is at least that day's
budget. That is the least traffic it can count on: in any real run its competitors can
only be fewer (throttled, out of budget), never more. A campaign that only fills its
budget because its competitors ran out early is not counted, whatever the strategy.

The earlier definition ("its no-pacing replay delivered its budget") was biased: in the
no-pacing run many campaigns exhaust their budgets by the afternoon and leave the evening
to lower bidders, who then look able to fill their budget although, against competitors
that pace (and so stay in all day), they cannot.

With everybody in every auction every opportunity has entrants, so the replay visits each
one. Beyond `SAMPLED_OPPORTUNITIES_PER_DAY` a day (markets with high traffic per budget,
where a billion opportunities a day is what makes campaigns need throttles of 10⁻⁵), it
replays a random share of them and scales the winnings back up: an unbiased estimate,
within a fraction of a percent over a day at that sample size, where such campaigns'
winnings are many times their budgets.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from ads.simulation.backends.memory import Headroom, SpendEvent
from ads.simulation.market.book import SimCampaign
from ads.simulation.market.loop import MarketRun, Progress, run_market
from ads.simulation.market.scenario import Scenario

Key = tuple[int, int]

#: The most opportunities a day the full-competition replay visits (it samples beyond).
SAMPLED_OPPORTUNITIES_PER_DAY = 2_000_000


class FullCompetition:
    """A `PacingBackend` with every campaign at throttle 1 on its days and no budget stop."""

    def __init__(self, book: list[SimCampaign]) -> None:
        self.book = book

    def ingest(self, now: datetime, events: Sequence[SpendEvent]) -> None:
        """Spend is never looked at: nobody stops."""

    def tick(self, now: datetime) -> dict[int, float]:
        return {c.key: 1.0 for c in self.book if c.day_index(now) is not None}

    def bid_caps(self) -> dict[int, int]:
        return {}  # full bids: the most each campaign could win

    def headrooms(self) -> dict[int, Headroom]:
        return {}  # no budget: nothing to stop at

    def day_budget(self, key: int, day: int) -> int:
        return 0  # no budget applies in this replay


def full_competition_run(
    scenario: Scenario, book: list[SimCampaign], *, seed: int, progress: Progress | None = None
) -> MarketRun:
    """The counterfactual replay: the same opportunities (same seed), everybody always in."""
    volume = scenario.traffic.opportunities_per_day
    share = min(1.0, SAMPLED_OPPORTUNITIES_PER_DAY / volume) if volume > 0 else 1.0
    run = run_market(
        scenario, book, FullCompetition(book), seed=seed, progress=progress, traffic_share=share
    )
    if share < 1.0:
        for cd in run.days.values():
            cd.spend_per_minute = [round(spent / share) for spent in cd.spend_per_minute]
            cd.impressions = round(cd.impressions / share)
            cd.clicks = round(cd.clicks / share)
            cd.click_cost_micros = round(cd.click_cost_micros / share)
        run.opportunities = round(run.opportunities / share)
        run.sold_to_campaigns = round(run.sold_to_campaigns / share)
    return run


def enough_traffic_days(capacity: MarketRun, runs: Iterable[MarketRun]) -> set[Key]:
    """Campaign-days whose full-competition winnings reach their budget in every run.

    A LIFETIME campaign's day budget is its allowance, which depends on what the
    strategy delivered earlier; the largest allowance any run gave it is the bar, so the
    set is the same for every strategy and errs towards leaving campaign-days out.
    """
    runs = list(runs)
    out = set()
    for key, cd in capacity.days.items():
        budget = max((run.days[key].budget_micros for run in runs if key in run.days), default=0)
        if budget > 0 and sum(cd.spend_per_minute) >= budget:
            out.add(key)
    return out
