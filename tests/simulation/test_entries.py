"""Drawing only the opportunities some campaign enters gives the auctions visiting all would."""

from __future__ import annotations

import math
import random
from collections import Counter
from statistics import NormalDist

import pytest

from ads.simulation.market.auction import Candidate, Pricing, first_price, second_price
from ads.simulation.market.entries import RegionAuctions

# Overlapping audiences, small throttles, one campaign at throttle 1 on a narrow slice.
RANKED = [
    Candidate(0, 5_000_000, 0.02, 0.0, 0.6),
    Candidate(1, 4_000_000, 0.05, 0.3, 1.0),
    Candidate(2, 3_000_000, 0.1, 0.2, 0.5),
    Candidate(3, 2_000_000, 0.01, 0.0, 1.0),
    Candidate(4, 1_500_000, 1.0, 0.9, 0.95),
]
MEDIAN, SIGMA, RESERVE = 1_200_000, 2.14, 100_000
OPPORTUNITIES = 300_000


def _floor(rng: random.Random) -> float:
    return max(RESERVE, math.exp(math.log(MEDIAN) + SIGMA * rng.gauss()))


def _win_probabilities() -> list[float]:
    """Per candidate, P(it is the highest entrant and beats the floor), by integration
    over the user's point in the audience."""
    beats = [NormalDist().cdf(math.log(c.ecpm / MEDIAN) / SIGMA) for c in RANKED]
    out = [0.0] * len(RANKED)
    steps = 20_000
    for i in range(steps):
        user = (i + 0.5) / steps
        nobody_above = 1.0
        for c in RANKED:
            if c.lo <= user < c.hi:
                out[c.key] += nobody_above * c.throttle * beats[c.key] / steps
                nobody_above *= 1 - c.throttle
    return out


def _drawn(pricing: Pricing, seed: int) -> tuple[Counter[int], Counter[int]]:
    auctions = RegionAuctions(RANKED, pricing=pricing, reserve=RESERVE)
    assert auctions.sparse
    rng = random.Random(seed)
    wins: Counter[int] = Counter()
    paid: Counter[int] = Counter()
    at = auctions.skip(rng)
    while at <= OPPORTUNITIES:
        won = auctions.auction(rng, lambda: _floor(rng))
        if won is not None:
            wins[won.key] += 1
            paid[won.key] += round(won.price_ecpm)
        at += auctions.skip(rng)
    return wins, paid


def _visited(pricing: Pricing, seed: int) -> tuple[Counter[int], Counter[int]]:
    clear = first_price if pricing is Pricing.FIRST_PRICE else second_price
    rng = random.Random(seed)
    wins: Counter[int] = Counter()
    paid: Counter[int] = Counter()
    for _ in range(OPPORTUNITIES):
        floor = _floor(rng)
        won = clear(RANKED, user=rng.random(), floor_ecpm=floor, coin=rng.random)
        if won is not None:
            wins[won.key] += 1
            paid[won.key] += round(won.price_ecpm)
    return wins, paid


@pytest.mark.parametrize("pricing", list(Pricing))
def test_drawn_auctions_win_as_often_as_the_exact_probabilities(pricing: Pricing) -> None:
    wins, _ = _drawn(pricing, seed=3)
    for key, p in enumerate(_win_probabilities()):
        expected = p * OPPORTUNITIES
        assert abs(wins[key] - expected) <= 4 * math.sqrt(expected), key


def test_drawn_second_prices_match_visiting_every_opportunity() -> None:
    drawn_wins, drawn_paid = _drawn(Pricing.SECOND_PRICE, seed=5)
    seen_wins, seen_paid = _visited(Pricing.SECOND_PRICE, seed=6)
    for key in range(len(RANKED)):
        drawn = drawn_paid[key] / drawn_wins[key]
        seen = seen_paid[key] / seen_wins[key]
        assert drawn == pytest.approx(seen, rel=0.05), key


def test_first_price_winners_pay_their_own_bid() -> None:
    wins, paid = _drawn(Pricing.FIRST_PRICE, seed=7)
    for c in RANKED:
        assert paid[c.key] == round(c.ecpm) * wins[c.key]


def test_nobody_serving_draws_no_auction() -> None:
    quiet = [Candidate(0, 5_000_000, 0.0)]
    auctions = RegionAuctions(quiet, pricing=Pricing.SECOND_PRICE, reserve=RESERVE)
    assert auctions.skip(random.Random(1)) > 10**15


def test_many_campaigns_at_full_rate_are_visited_one_by_one() -> None:
    full = [Candidate(i, 1_000_000.0 * (i + 1), 1.0) for i in range(3)]
    auctions = RegionAuctions(full, pricing=Pricing.SECOND_PRICE, reserve=RESERVE)
    assert not auctions.sparse
    assert auctions.skip(random.Random(1)) == 1
