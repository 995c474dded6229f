"""A campaign without history is paced on the clocks of the regions it targets."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ads.config import TrafficRegion
from ads.pacing.domain.curve import target_fraction
from ads.pacing.domain.profile import DEFAULT_DIURNAL
from ads.pacing.domain.targeting import targeted_regions, targeting_profile
from ads.time import day_bounds

US = TrafficRegion("us", "America/New_York", 0.5)
EU = TrafficRegion("eu", "Europe/Berlin", 0.3)
JP = TrafficRegion("jp", "Asia/Tokyo", 0.2)
REGIONS = (US, EU, JP)
BERLIN = ZoneInfo("Europe/Berlin")
DAY = date(2026, 11, 20)


def test_a_berlin_account_buying_americans_expects_its_traffic_in_the_berlin_night() -> None:
    mix = targeting_profile(REGIONS, {"us"}, BERLIN, DAY)
    assert mix is not None
    # 02:00 in Berlin is 20:00 in New York, the American evening peak; 11:00 is 05:00.
    assert mix.weight(2) == pytest.approx(DEFAULT_DIURNAL.weight(20))
    assert mix.weight(11) == pytest.approx(DEFAULT_DIURNAL.weight(5))
    start, end = day_bounds(DAY, BERLIN)
    six = start + timedelta(hours=6)
    # By 06:00 the default shape expects 8% of the day's traffic; this one, a third.
    assert 0.07 < target_fraction(DEFAULT_DIURNAL, start, end, BERLIN, six) < 0.09
    assert target_fraction(mix, start, end, BERLIN, six) > 0.3


def test_its_home_region_alone_is_the_default_shape_on_its_own_clock() -> None:
    mix = targeting_profile(REGIONS, {"eu"}, BERLIN, DAY)
    assert mix is not None
    assert mix.weights == pytest.approx(DEFAULT_DIURNAL.weights)


def test_regions_weigh_by_their_share_of_opportunities() -> None:
    mix = targeting_profile(REGIONS, {"us", "eu"}, BERLIN, DAY)
    assert mix is not None
    us_at_20 = DEFAULT_DIURNAL.weight(20)  # 02:00 Berlin
    eu_at_02 = DEFAULT_DIURNAL.weight(2)
    us_at_08 = DEFAULT_DIURNAL.weight(8)  # 14:00 Berlin
    eu_at_14 = DEFAULT_DIURNAL.weight(14)
    ratio = (0.5 * us_at_20 + 0.3 * eu_at_02) / (0.5 * us_at_08 + 0.3 * eu_at_14)
    assert mix.weight(2) / mix.weight(14) == pytest.approx(ratio)


def test_the_mix_follows_daylight_saving_time() -> None:
    # New York leaves summer time a week after Berlin: on 2026-10-26 they are 5 hours
    # apart, not 6, so Berlin's 01:00 is New York's 20:00.
    mix = targeting_profile((US,), {"us"}, BERLIN, date(2026, 10, 26))
    assert mix is not None
    assert mix.weight(1) == pytest.approx(DEFAULT_DIURNAL.weight(20))
    later = targeting_profile((US,), {"us"}, BERLIN, DAY)
    assert later is not None
    assert later.weight(2) == pytest.approx(DEFAULT_DIURNAL.weight(20))


def test_no_known_region_means_no_mix() -> None:
    assert targeting_profile((), {"us"}, BERLIN, DAY) is None
    assert targeting_profile(REGIONS, set(), BERLIN, DAY) is None


def test_ad_groups_buy_the_union_of_the_regions_they_name() -> None:
    groups = [{"regions": ["us"]}, {"regions": ["eu", "mars"]}, {"age": [18, 34]}]
    assert targeted_regions(groups[:2], REGIONS) == {"us", "eu"}
    # A group naming no region (or only unknown ones) buys them all.
    assert targeted_regions(groups, REGIONS) == {"us", "eu", "jp"}
    assert targeted_regions([{"regions": ["mars"]}], REGIONS) == {"us", "eu", "jp"}
    assert targeted_regions([{"regions": "us"}], REGIONS) == {"us", "eu", "jp"}
    assert targeted_regions([], REGIONS) == frozenset()
    assert targeted_regions([{"regions": ["us"]}], ()) == frozenset()


@given(
    st.lists(st.sampled_from(REGIONS), min_size=1, unique=True),
    st.sampled_from(["Europe/Berlin", "Asia/Kolkata", "America/Los_Angeles", "UTC"]),
    st.dates(min_value=date(2026, 1, 1), max_value=date(2027, 12, 31)),
)
def test_every_mix_is_a_valid_profile(chosen: list[TrafficRegion], tz: str, day: date) -> None:
    mix = targeting_profile(REGIONS, {r.name for r in chosen}, ZoneInfo(tz), day)
    assert mix is not None
    assert sum(mix.weights) == pytest.approx(1.0)
    assert min(mix.weights) > 0
