"""Exposure bookkeeping: throttle-seconds per local hour, and the profiles learned from it.

Pure: the tick (`ads.pacing.tick.decide`) adds each interval's published throttle x its
length to the local hour it started in and hands finished hours over for storage; once a
local day, the service (`ads.pacing.service`) turns each campaign's history of delivered
events and exposure per hour into its traffic profile, with its market's pooled shape
(its timezone and targeted regions) as the prior, or its regions' mix where the market
has no history yet (`TrafficProfile.from_exposure`, `TrafficProfile.pooled`,
`ads.pacing.domain.targeting`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from ads.pacing.domain.profile import DEFAULT_DIURNAL, TrafficProfile

#: Campaigns per timezone that make its pooled shape (a prior needs no more).
POOL_SIZE = 1_000


@dataclass(frozen=True, slots=True)
class HourExposure:
    """Throttle-seconds of one campaign in one local hour of one local day."""

    day: date
    hour: int
    seconds: float


def advance(
    current: HourExposure | None,
    *,
    last_tick: datetime | None,
    throttle: float,
    now: datetime,
    tz: ZoneInfo,
) -> tuple[HourExposure | None, HourExposure | None]:
    """Add the interval since `last_tick`, at the `throttle` published then; return
    (the hour in progress, a finished hour to store or None).

    The interval is counted in the local hour it started in: ticks are a minute apart
    and land on the hour, so nothing spills over. The ad server applies a rate up to one
    poll later than it is published; over an hour that shifts little.
    """
    if last_tick is None or now <= last_tick:
        return current, None
    local = last_tick.astimezone(tz)
    day, hour = local.date(), local.hour
    seconds = throttle * (now - last_tick).total_seconds()
    if current is not None and (current.day, current.hour) == (day, hour):
        return HourExposure(day, hour, current.seconds + seconds), None
    return HourExposure(day, hour, seconds), current


#: A market: the advertiser's timezone and the regions the campaign targets (none when
#: the deployment configures no regions). Campaigns of one market share a prior shape.
Market = tuple[str, frozenset[str]]
#: Per market, the campaigns' own shapes pooled into its prior so far in a tick.
MarketPool = dict[Market, list[TrafficProfile]]


def learned_profiles(
    campaigns: Mapping[int, Market],
    events: Mapping[int, Sequence[float]],
    exposure: Mapping[int, Sequence[float]],
    *,
    pool: MarketPool | None = None,
    targeting: Mapping[int, TrafficProfile] | None = None,
) -> dict[int, list[float] | None]:
    """Each campaign's traffic profile (24 weights) from its hourly history.

    `campaigns` maps each id to its market (advertiser's timezone, targeted regions).
    Campaigns with both events and exposure learn `from_exposure`, and the mean of their
    shapes per market (up to POOL_SIZE campaigns, lowest ids first) is the prior for all
    of that market's campaigns, including those with little or no history, which thus
    start on their market's shape. Where the market has no history yet, the prior is the
    campaign's `targeting` shape (its regions' mix, `ads.pacing.domain.targeting`), else
    None (DEFAULT_DIURNAL applies). A tick that learns in chunks of campaigns, in id
    order, passes the same `pool` to each call: a chunk's prior is then pooled from the
    lowest ids seen so far in the tick.
    """
    mixes = {} if targeting is None else targeting
    own = {
        cid: TrafficProfile.from_exposure(events[cid], exposure[cid], prior=mixes.get(cid))
        for cid in sorted(campaigns)
        if cid in events and cid in exposure
    }
    by_market: MarketPool = {} if pool is None else pool
    for cid, shape in own.items():
        members = by_market.setdefault(campaigns[cid], [])
        if len(members) < POOL_SIZE:
            members.append(shape)
    priors = {market: TrafficProfile.pooled(members) for market, members in by_market.items()}
    out: dict[int, list[float] | None] = {}
    for cid, market in campaigns.items():
        prior = priors.get(market) or mixes.get(cid)
        profile: TrafficProfile | None
        if cid in own:
            # Learned again with the market's shape as the prior.
            profile = TrafficProfile.from_exposure(events[cid], exposure[cid], prior=prior)
        elif cid in events:
            # History from before exposure was recorded: deliveries, as before.
            profile = TrafficProfile.from_observed(
                [round(v) for v in events[cid]], prior=prior or DEFAULT_DIURNAL
            )
        else:
            profile = prior
        out[cid] = None if profile is None else list(profile.weights)
    return out
