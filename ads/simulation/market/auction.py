"""One opportunity's auction: throttle coins, eCPM ranking, the price; CPM and CPC charges.

The ad server's side of pacing by throttling (Agarwal et al., "Budget pacing for
targeted online advertisements at LinkedIn", KDD 2014): each ad group whose campaign
passes its throttle coin enters; the highest expected value per thousand impressions
(eCPM = CPM bid, or CPC bid x CTR x 1000) wins. In a second-price auction it pays the
second highest eCPM among the entrants, the outside demand and the reserve (a
generalised second-price auction for one slot); in a first-price auction it pays its
own bid, as in Yahoo's published pacing simulator (BudgetPacingSimulation,
`src/system/auction.py`, `AuctionFP`: the highest bid wins and pays itself). A CPC winner
pays the eCPM per expected click, i.e. price / CTR, and only when the click happens.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from ads.campaigns.rules import BillingEvent


class Pricing(StrEnum):
    """What the winner of an opportunity pays."""

    SECOND_PRICE = "second_price"
    FIRST_PRICE = "first_price"


@dataclass(frozen=True, slots=True)
class Candidate:
    """An ad group as the auction sees it, eCPM in USD micros per thousand impressions.

    `audience` is the slice [lo, hi) of users it targets; `throttle` its campaign's rate.
    """

    key: int
    ecpm: float
    throttle: float
    lo: float = 0.0
    hi: float = 1.0


@dataclass(frozen=True, slots=True)
class Won:
    """The winner's key and the eCPM it pays (USD micros per thousand impressions)."""

    key: int
    price_ecpm: float


def second_price(
    ranked: Sequence[Candidate], *, user: float, floor_ecpm: float, coin: Callable[[], float]
) -> Won | None:
    """The auction for one opportunity; None when outside demand wins or nobody clears.

    `ranked` is sorted by eCPM, highest first. `user` is the opportunity's point in the
    audience; `floor_ecpm` is max(outside bid, reserve). Coins are only drawn for
    candidates that could still matter, so a throttle of 1 or 0 costs no randomness.
    """
    winner: Candidate | None = None
    for cand in ranked:
        if cand.ecpm <= floor_ecpm:
            break
        if not cand.lo <= user < cand.hi or cand.throttle <= 0.0:
            continue
        if cand.throttle < 1.0 and coin() >= cand.throttle:
            continue
        if winner is None:
            winner = cand
        else:
            return Won(winner.key, cand.ecpm)
    return None if winner is None else Won(winner.key, floor_ecpm)


def first_price(
    ranked: Sequence[Candidate], *, user: float, floor_ecpm: float, coin: Callable[[], float]
) -> Won | None:
    """The first-price auction for one opportunity: the highest entrant pays its own eCPM."""
    for cand in ranked:
        if cand.ecpm <= floor_ecpm:
            return None
        if not cand.lo <= user < cand.hi or cand.throttle <= 0.0:
            continue
        if cand.throttle < 1.0 and coin() >= cand.throttle:
            continue
        return Won(cand.key, cand.ecpm)
    return None


def charge_micros(
    price_ecpm_usd_micros: float,
    *,
    billing: BillingEvent,
    bid_micros: int,
    ctr: float,
    usd_per_unit: float,
) -> int:
    """What one charge costs in the ad group's currency, integer micros, never above its bid.

    CPM: the eCPM / 1000 per impression. CPC: the eCPM / (1000 x CTR) per click. Rounded
    up to a whole micro (second price plus the smallest increment), capped by the bid.
    """
    per_event_usd = price_ecpm_usd_micros / 1000.0
    if billing is BillingEvent.CLICK:
        per_event_usd /= ctr
    else:
        bid_micros = math.ceil(bid_micros / 1000)  # the CPM bid per single impression
    return max(1, min(bid_micros, math.ceil(per_event_usd / usd_per_unit)))


def ecpm_usd_micros(
    *, billing: BillingEvent, bid_micros: int, ctr: float, usd_per_unit: float
) -> float:
    """The ranking value: USD micros per thousand impressions."""
    local = bid_micros * ctr * 1000.0 if billing is BillingEvent.CLICK else float(bid_micros)
    return local * usd_per_unit
