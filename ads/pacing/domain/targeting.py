"""The traffic shape a campaign's geographic targeting implies, before its history does.

A campaign's traffic follows its audience's clock, not its advertiser's: a Berlin account
buying American users sees most of its traffic in the Berlin night, when the default
diurnal shape, read in Berlin, expects the day's trough. Paced on that shape, such a
campaign holds its rate low through the only hours it could buy, and ends its first day
far short. Until its own history teaches it its shape (`TrafficProfile.from_exposure`),
it is paced on the mix of the regions it targets: each region's typical day
(DEFAULT_DIURNAL on the region's clock), weighted by that region's share of the
platform's opportunities, read on the campaign's own clock.

The regions are a deployment setting (`ADS_TRAFFIC_REGIONS`: name, timezone and share of
opportunities); an ad group names the ones it buys in `targeting.regions`. An ad group
naming none buys every region; names the deployment does not know are ignored.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from ads.campaigns.rules import REGIONS_KEY
from ads.pacing.domain.profile import DEFAULT_DIURNAL, HOURS_PER_DAY, TrafficProfile


class Region(Protocol):
    """A traffic region as the deployment configures it (`ads.config.TrafficRegion`)."""

    @property
    def name(self) -> str: ...

    @property
    def timezone(self) -> str: ...

    @property
    def share(self) -> float: ...


def targeted_regions(
    targetings: Iterable[Mapping[str, Any]], regions: Iterable[Region]
) -> frozenset[str]:
    """The known regions some ad group buys: the union of their `targeting.regions`.

    An ad group whose targeting names no region (no key, an empty list, or only names
    the deployment does not know) buys every region, as the ad server serves it.
    """
    known = frozenset(r.name for r in regions)
    out: set[str] = set()
    for targeting in targetings:
        named = targeting.get(REGIONS_KEY) if isinstance(targeting, Mapping) else None
        chosen = (
            {n for n in named if isinstance(n, str)} & known
            if isinstance(named, list | tuple)
            else set()
        )
        out |= chosen or known
    return frozenset(out)


def targeting_profile(
    regions: Iterable[Region], targeted: Iterable[str], tz: ZoneInfo, day: date
) -> TrafficProfile | None:
    """The shape the targeted regions' traffic has on the campaign's local day `day`.

    Each local hour takes, from every targeted region, its share times the default
    shape's weight at the hour it is there (read at the half hour, so a zone with a
    half-hour offset takes the hour it is mostly in); the offsets are those of `day`, so
    the mix follows daylight saving time. None when no known region is targeted.
    """
    wanted = frozenset(targeted)
    chosen = [r for r in regions if r.name in wanted]
    if not chosen:
        return None
    zones = [(r.share, ZoneInfo(r.timezone)) for r in chosen]
    weights = []
    for hour in range(HOURS_PER_DAY):
        moment = datetime.combine(day, time(hour, 30), tzinfo=tz)
        weights.append(
            math.fsum(
                share * DEFAULT_DIURNAL.weight(moment.astimezone(zone).hour)
                for share, zone in zones
            )
        )
    return TrafficProfile(tuple(weights))
