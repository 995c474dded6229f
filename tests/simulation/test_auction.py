"""The auction and its charges on cases small enough to work out by hand."""

from __future__ import annotations

from ads.campaigns.rules import BillingEvent
from ads.simulation.market.auction import (
    Candidate,
    charge_micros,
    ecpm_usd_micros,
    first_price,
    second_price,
)


def always() -> float:
    return 0.0


def never() -> float:
    return 0.99


RANKED = [Candidate(1, 5_000_000, 1.0), Candidate(2, 3_000_000, 1.0), Candidate(3, 2_000_000, 1.0)]


def test_highest_ecpm_wins_and_pays_the_second_highest() -> None:
    won = second_price(RANKED, user=0.5, floor_ecpm=1_000_000, coin=always)
    assert won is not None
    assert (won.key, won.price_ecpm) == (1, 3_000_000)


def test_a_lone_entrant_pays_the_floor() -> None:
    won = second_price(RANKED[:1], user=0.5, floor_ecpm=1_500_000, coin=always)
    assert won is not None
    assert (won.key, won.price_ecpm) == (1, 1_500_000)


def test_outside_demand_above_every_bid_wins() -> None:
    assert second_price(RANKED, user=0.5, floor_ecpm=6_000_000, coin=always) is None


def test_a_throttled_out_campaign_does_not_enter() -> None:
    ranked = [Candidate(1, 5_000_000, 0.5), *RANKED[1:]]
    won = second_price(ranked, user=0.5, floor_ecpm=1_000_000, coin=never)
    assert won is not None
    assert (won.key, won.price_ecpm) == (2, 2_000_000)


def test_zero_throttle_never_enters_and_targeting_filters() -> None:
    ranked = [Candidate(1, 5_000_000, 0.0), Candidate(2, 3_000_000, 1.0, 0.0, 0.1), RANKED[2]]
    won = second_price(ranked, user=0.5, floor_ecpm=1_000_000, coin=always)
    assert won is not None
    assert (won.key, won.price_ecpm) == (3, 1_000_000)


def test_at_first_price_the_highest_entrant_pays_its_own_bid() -> None:
    won = first_price(RANKED, user=0.5, floor_ecpm=1_000_000, coin=always)
    assert won is not None
    assert (won.key, won.price_ecpm) == (1, 5_000_000)
    ranked = [Candidate(1, 5_000_000, 0.5), *RANKED[1:]]
    won = first_price(ranked, user=0.5, floor_ecpm=1_000_000, coin=never)
    assert won is not None
    assert (won.key, won.price_ecpm) == (2, 3_000_000)
    assert first_price(RANKED, user=0.5, floor_ecpm=6_000_000, coin=always) is None


def test_cpm_charge_is_the_price_per_impression_rounded_up() -> None:
    # A $3.00 eCPM is 3,000 micros per impression; EUR at 1.5 USD is 2,000 micros.
    kwargs = {"billing": BillingEvent.IMPRESSION, "bid_micros": 5_000_000, "ctr": 0.01}
    assert charge_micros(3_000_000, usd_per_unit=1.0, **kwargs) == 3_000
    assert charge_micros(3_000_000, usd_per_unit=1.5, **kwargs) == 2_000


def test_cpc_charge_is_price_over_ctr_capped_by_the_bid() -> None:
    # eCPM $3 at CTR 1%: $0.30 a click; a $0.25 bid caps it.
    assert (
        charge_micros(
            3_000_000, billing=BillingEvent.CLICK, bid_micros=400_000, ctr=0.01, usd_per_unit=1.0
        )
        == 300_000
    )
    assert (
        charge_micros(
            3_000_000, billing=BillingEvent.CLICK, bid_micros=250_000, ctr=0.01, usd_per_unit=1.0
        )
        == 250_000
    )


def test_cpc_ranks_by_bid_times_ctr() -> None:
    assert (
        ecpm_usd_micros(billing=BillingEvent.CLICK, bid_micros=500_000, ctr=0.004, usd_per_unit=1.0)
        == 2_000_000
    )
