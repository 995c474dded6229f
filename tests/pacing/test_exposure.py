"""Exposure per local hour, and profiles learned from it with the timezone's shape as prior."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from ads.pacing.domain.exposure import HourExposure, advance, learned_profiles
from ads.pacing.domain.profile import DEFAULT_DIURNAL, TrafficProfile

BERLIN = ZoneInfo("Europe/Berlin")
T0 = datetime(2026, 6, 10, 10, 58, tzinfo=UTC)  # 12:58 in Berlin


def test_intervals_add_up_in_their_local_hour_and_finished_hours_are_handed_over() -> None:
    current, done = advance(
        None, last_tick=T0, throttle=0.5, now=T0 + timedelta(minutes=1), tz=BERLIN
    )
    assert (current, done) == (HourExposure(date(2026, 6, 10), 12, 30.0), None)
    t1 = T0 + timedelta(minutes=1)
    current, done = advance(
        current, last_tick=t1, throttle=0.25, now=t1 + timedelta(minutes=1), tz=BERLIN
    )
    assert (current, done) == (HourExposure(date(2026, 6, 10), 12, 45.0), None)
    t2 = t1 + timedelta(minutes=1)  # 13:00 in Berlin: a new hour starts
    current, done = advance(
        current, last_tick=t2, throttle=1.0, now=t2 + timedelta(minutes=1), tz=BERLIN
    )
    assert current == HourExposure(date(2026, 6, 10), 13, 60.0)
    assert done == HourExposure(date(2026, 6, 10), 12, 45.0)


def test_first_tick_and_repeated_slot_add_nothing() -> None:
    assert advance(None, last_tick=None, throttle=1.0, now=T0, tz=BERLIN) == (None, None)
    held = HourExposure(date(2026, 6, 10), 12, 5.0)
    assert advance(held, last_tick=T0, throttle=1.0, now=T0, tz=BERLIN) == (held, None)


def _history(rate: list[float], throttle: list[float]) -> tuple[list[float], list[float]]:
    exposure = [3_600.0 * t for t in throttle]
    return [r * x for r, x in zip(rate, exposure, strict=True)], exposure


def test_a_new_campaign_starts_on_its_timezones_learned_shape() -> None:
    busy_afternoon = [3.0 if 12 <= h < 18 else 1.0 for h in range(24)]
    events, exposure = {}, {}
    for cid in (1, 2, 3):
        throttle = [0.25 if 12 <= h < 18 else 1.0 for h in range(24)]  # held back then
        events[cid], exposure[cid] = _history(busy_afternoon, throttle)
    berlin, tokyo = ("Europe/Berlin", frozenset()), ("Asia/Tokyo", frozenset())
    markets = {1: berlin, 2: berlin, 3: berlin, 4: berlin, 5: tokyo}
    profiles = learned_profiles(markets, events, exposure)
    for cid in (1, 2, 3, 4):
        weights = profiles[cid]
        assert weights is not None
        assert weights[14] / weights[8] == pytest.approx(3.0, rel=0.05)
    assert profiles[5] is None  # no history in Tokyo: DEFAULT_DIURNAL


def test_history_from_before_exposure_was_recorded_learns_from_deliveries() -> None:
    counts = [float(c) for c in range(1, 25)]
    profiles = learned_profiles({7: ("UTC", frozenset())}, {7: counts}, {})
    expected = TrafficProfile.from_observed(list(range(1, 25)), prior=DEFAULT_DIURNAL)
    assert profiles[7] == pytest.approx(list(expected.weights))


def test_a_market_without_history_starts_on_its_regions_mix_and_one_with_history_on_it() -> None:
    flat = [1.0] * 24
    events, exposure = _history(flat, [1.0] * 24)
    at_home = ("Europe/Berlin", frozenset({"eu"}))
    abroad = ("Europe/Berlin", frozenset({"us"}))
    night = TrafficProfile(tuple(5.0 if h < 6 else 1.0 for h in range(24)))
    profiles = learned_profiles(
        {1: at_home, 2: at_home, 3: abroad},
        {1: events},
        {1: exposure},
        targeting={2: DEFAULT_DIURNAL, 3: night},
    )
    # Campaign 2 shares campaign 1's market, whose flat history outweighs its mix.
    assert profiles[2] == pytest.approx(profiles[1], rel=0.05)
    assert max(profiles[1] or []) / min(profiles[1] or [1]) < 1.5
    # Campaign 3 buys another market, which has no history: its regions' mix.
    assert profiles[3] == pytest.approx(list(night.weights))
