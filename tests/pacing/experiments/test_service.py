"""Experiments on a real database: ADMIN-only use cases, and the pacing tick uses the arms."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from ads.auth.principal import CLI_PRINCIPAL, Principal
from ads.auth.roles import Role
from ads.config import Settings
from ads.errors import Forbidden, Invalid
from ads.pacing.experiments.models import PacingExperiment, PacingExperimentDay
from ads.pacing.experiments.rules import Arm, ExperimentStatus, PacingStrategy, arm_for
from ads.pacing.experiments.service import (
    arm_metrics,
    create_experiment,
    list_experiments,
    stop_experiment,
)
from ads.pacing.service import recompute_shard
from tests.ingestion.fixtures import build_tree

NOW = datetime(2026, 11, 20, 17, 0, tzinfo=UTC)  # noon in New York
FINANCE = Principal(role=Role.FINANCE)


def _create(session: Session, **overrides: Any) -> PacingExperiment:
    values: dict[str, Any] = {
        "name": "linear vs default",
        "control_strategy": PacingStrategy.DEFAULT,
        "candidate_strategy": PacingStrategy.LINEAR_PROFILE,
        "allocation": 0.5,
        "start_at": NOW - timedelta(hours=1),
        "salt": "fixed",
    } | overrides
    return create_experiment(session, CLI_PRINCIPAL, **values)


def test_only_admin_manages_experiments(session: Session) -> None:
    with pytest.raises(Forbidden):
        create_experiment(
            session, FINANCE, name="x", control_strategy=PacingStrategy.DEFAULT,
            candidate_strategy=PacingStrategy.HIGH_GAIN, allocation=0.5, start_at=NOW,
        )  # fmt: skip
    with pytest.raises(Forbidden):
        list_experiments(session, FINANCE)


def test_one_experiment_runs_at_a_time_until_stopped(session: Session) -> None:
    first = _create(session)
    with pytest.raises(Invalid, match="another experiment"):
        _create(session, name="second")
    stopped = stop_experiment(session, CLI_PRINCIPAL, first.id, now=NOW)
    assert stopped.status is ExperimentStatus.STOPPED
    assert stop_experiment(session, CLI_PRINCIPAL, stopped.id).stopped_at == NOW
    _create(session, name="second")
    assert [e.name for e in list_experiments(session, CLI_PRINCIPAL)] == [
        "second",
        "linear vs default",
    ]


def test_the_pacing_tick_records_each_campaign_in_its_arm(
    session: Session, settings: Settings
) -> None:
    trees = [build_tree(session) for _ in range(6)]
    experiment = _create(session)
    for minute in range(3):
        slot = (NOW + timedelta(minutes=minute)).timestamp()
        recompute_shard(session, slot=slot, shard=0, shards=1, settings=settings)
    rows = session.scalars(select(PacingExperimentDay)).all()
    assert {r.campaign_id for r in rows} == {t.campaign_id for t in trees}
    for row in rows:
        assert row.arm is arm_for(row.campaign_id, salt="fixed", allocation=0.5)
        assert row.ticks == 3
        assert row.error_sum >= 0
    arms = arm_metrics(session, CLI_PRINCIPAL, experiment.id)
    assert [a.arm for a in arms] == [Arm.CONTROL, Arm.CANDIDATE]
    assert sum(a.campaigns for a in arms) == 6
    candidate = arms[1]
    assert candidate.strategy is PacingStrategy.LINEAR_PROFILE
    assert candidate.utilization.mean == 0.0  # nothing spent yet


def test_a_stopped_experiment_records_nothing(session: Session, settings: Settings) -> None:
    build_tree(session)
    experiment = _create(session)
    stop_experiment(session, CLI_PRINCIPAL, experiment.id)
    recompute_shard(session, slot=NOW.timestamp(), shard=0, shards=1, settings=settings)
    assert session.scalars(select(PacingExperimentDay)).all() == []
