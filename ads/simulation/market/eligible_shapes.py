"""Traffic profiles a campaign would learn from history: its eligible traffic by local hour.

Used for the `production_learned` diagnostic, the production controller fed with the
profile that `TrafficProfile.from_observed` converges to after enough days, to separate
what the controller's feedback does from what its default profile assumes.
"""

from __future__ import annotations

from datetime import timedelta

from ads.pacing.domain.profile import HOURS_PER_DAY, TrafficProfile
from ads.simulation.market.book import SimCampaign
from ads.simulation.market.traffic import RegionTraffic


def eligible_share(campaign: SimCampaign, region_names: list[str]) -> dict[str, float]:
    """Per region, the share of users some ad group of the campaign targets (union of slices)."""
    out = {}
    for region in region_names:
        slices = sorted(
            (g.audience_start, g.audience_start + g.audience_share)
            for g in campaign.ad_groups
            if not g.regions or region in g.regions
        )
        covered, reach = 0.0, 0.0
        for lo, hi in slices:
            lo = max(lo, reach)
            if hi > lo:
                covered += hi - lo
                reach = hi
        out[region] = covered
    return out


def learned_profile(campaign: SimCampaign, regions: list[RegionTraffic]) -> TrafficProfile:
    """Expected eligible opportunities in each local hour of the campaign's first day."""
    weights = [0.0] * HOURS_PER_DAY
    share = eligible_share(campaign, [r.region.name for r in regions])
    if not campaign.days:
        return TrafficProfile(tuple([1.0] * HOURS_PER_DAY))
    window = campaign.days[0]
    at = window.start
    while at < window.end:
        hour = at.astimezone(campaign.tz).hour
        weights[hour] += sum(
            share[r.region.name] * r.expected(at, with_surges=False) for r in regions
        )
        at += timedelta(minutes=10)
    if sum(weights) <= 0:
        weights = [1.0] * HOURS_PER_DAY
    return TrafficProfile(tuple(weights))
