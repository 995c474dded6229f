"""Experiment rules: stable hash arms, strategies in production terms, t intervals."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import pytest

from ads.errors import Invalid
from ads.pacing.domain.controller import DEFAULT_CONFIG
from ads.pacing.experiments.rules import (
    FLAT_PROFILE,
    Arm,
    PacingStrategy,
    arm_for,
    assignment_point,
    mean_ci,
    strategy_plan,
    validate_experiment,
)

START = datetime(2026, 6, 10, tzinfo=UTC)


def test_arms_are_stable_and_follow_sha256_of_salt_and_id() -> None:
    import hashlib

    digest = hashlib.sha256(b"s1:42").digest()
    assert assignment_point(42, "s1") == int.from_bytes(digest[:8], "big") / 2**64
    assert arm_for(42, salt="s1", allocation=0.5) == arm_for(42, salt="s1", allocation=0.5)


def test_the_candidate_share_is_the_allocation() -> None:
    arms = [arm_for(cid, salt="exp", allocation=0.2) for cid in range(1, 20_001)]
    share = arms.count(Arm.CANDIDATE) / len(arms)
    assert abs(share - 0.2) < 0.01  # 20,000 draws: sd 0.0028


def test_salts_split_campaigns_independently() -> None:
    a = [arm_for(cid, salt="a", allocation=0.5) for cid in range(1, 4_001)]
    b = [arm_for(cid, salt="b", allocation=0.5) for cid in range(1, 4_001)]
    same = sum(x == y for x, y in zip(a, b, strict=True)) / len(a)
    assert abs(same - 0.5) < 0.05


def test_strategies_in_production_terms() -> None:
    default = strategy_plan(PacingStrategy.DEFAULT, tick_seconds=60)
    assert (default.config, default.profile) == (DEFAULT_CONFIG, None)
    assert strategy_plan(PacingStrategy.LINEAR_PROFILE, tick_seconds=60).profile == FLAT_PROFILE
    high = strategy_plan(PacingStrategy.HIGH_GAIN, tick_seconds=120).config
    assert (high.gain, high.dead_band_fraction, high.tick_seconds) == (0.5, 0.0, 120)


def test_t_interval_of_a_known_sample() -> None:
    est = mean_ci([1.0, 2.0, 3.0])  # mean 2, s = 1, t(0.975, 2) = 4.303
    half = 4.303 / math.sqrt(3)
    assert est.mean == 2.0
    assert est.n == 3
    assert est.low == pytest.approx(2 - half)
    assert est.high == pytest.approx(2 + half)


def test_large_samples_use_the_normal_quantile_and_tiny_ones_have_no_interval() -> None:
    values = [float(i % 2) for i in range(100)]  # mean 0.5, s = 0.5025
    est = mean_ci(values)
    assert est.high is not None
    assert est.high - est.mean == pytest.approx(1.96 * 0.50252 / 10, rel=1e-3)
    assert mean_ci([0.3]) == mean_ci([0.3]).__class__(0.3, None, None, 1)
    assert mean_ci([]).n == 0


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"name": "  "}, "name"),
        ({"candidate": PacingStrategy.DEFAULT}, "candidateStrategy"),
        ({"allocation": 1.0}, "allocation"),
        ({"allocation": 0.0}, "allocation"),
        ({"allocation": float("nan")}, "allocation"),
        ({"end_at": START}, "endAt"),
    ],
)
def test_bad_experiments_are_refused(overrides: dict[str, object], field: str) -> None:
    values: dict[str, object] = {
        "name": "linear vs default",
        "control": PacingStrategy.DEFAULT,
        "candidate": PacingStrategy.LINEAR_PROFILE,
        "allocation": 0.5,
        "start_at": START,
        "end_at": None,
    } | overrides
    with pytest.raises(Invalid) as refused:
        validate_experiment(**values)  # type: ignore[arg-type]
    assert refused.value.field == [field]
