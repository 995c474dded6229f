"""Pacing experiment use cases: create, list, stop (ADMIN); the arms the pacing tick uses;
the per-arm metrics, from what the tick recorded and the spend counters."""

from __future__ import annotations

import secrets
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, Table, false, or_, select
from sqlalchemy.orm import Session

from ads.auth import policy
from ads.auth.principal import Principal
from ads.db import upsert
from ads.errors import Invalid, NotFound
from ads.ingestion.models import CampaignDaySpend
from ads.pacing.domain.controller import PacingController, PacingStatus
from ads.pacing.experiments.models import PacingExperiment, PacingExperimentDay
from ads.pacing.experiments.rules import (
    Arm,
    Estimate,
    ExperimentStatus,
    PacingStrategy,
    arm_for,
    mean_ci,
    strategy_plan,
    validate_experiment,
)
from ads.pacing.tick.decide import CampaignPlan
from ads.time import as_utc, utcnow

DAYS: Table = PacingExperimentDay.__table__  # type: ignore[assignment]
#: Decisions that say the campaign was live: only they count towards pacing error.
_LIVE = (PacingStatus.PACING, PacingStatus.LIMITED_BY_BUDGET, PacingStatus.EXHAUSTED)


def create_experiment(
    session: Session,
    principal: Principal,
    *,
    name: str,
    control_strategy: PacingStrategy,
    candidate_strategy: PacingStrategy,
    allocation: float,
    start_at: datetime,
    end_at: datetime | None = None,
    salt: str | None = None,
) -> PacingExperiment:
    """A RUNNING experiment; refused while another RUNNING one overlaps its period.

    One experiment at a time keeps every campaign under one strategy. `salt` defaults to
    a random one (give one to reproduce an assignment, as the simulator does).
    """
    policy.require_admin(principal, action="create pacing experiments")
    start_at = as_utc(start_at, field="startAt")
    end_at = as_utc(end_at, field="endAt") if end_at is not None else None
    clean = validate_experiment(
        name=name, control=control_strategy, candidate=candidate_strategy,
        allocation=allocation, start_at=start_at, end_at=end_at,
    )  # fmt: skip
    if session.scalar(select(PacingExperiment.id).where(PacingExperiment.name == clean)):
        raise Invalid("an experiment with this name exists", field="name", code="INVALID")
    overlapping = select(PacingExperiment.id).where(
        PacingExperiment.status == ExperimentStatus.RUNNING,
        or_(PacingExperiment.end_at.is_(None), PacingExperiment.end_at > start_at),
    )
    if end_at is not None:
        overlapping = overlapping.where(PacingExperiment.start_at < end_at)
    if session.scalar(overlapping) is not None:
        raise Invalid(
            "another experiment is running in this period: stop it first", field="startAt"
        )
    experiment = PacingExperiment(
        name=clean,
        control_strategy=control_strategy,
        candidate_strategy=candidate_strategy,
        allocation=allocation,
        salt=salt or secrets.token_hex(16),
        start_at=start_at,
        end_at=end_at,
        status=ExperimentStatus.RUNNING,
    )
    session.add(experiment)
    session.commit()
    return experiment


def experiments_query(principal: Principal) -> Select[Any]:
    """Experiments the caller may see by id (`node`): all for ADMIN, none for others."""
    query = select(PacingExperiment)
    return query if policy.is_admin(principal) else query.where(false())


def list_experiments(session: Session, principal: Principal) -> list[PacingExperiment]:
    """Every experiment, newest first."""
    policy.require_admin(principal, action="read pacing experiments")
    return list(session.scalars(select(PacingExperiment).order_by(PacingExperiment.id.desc())))


def get_experiment(session: Session, principal: Principal, experiment_id: int) -> PacingExperiment:
    policy.require_admin(principal, action="read pacing experiments")
    found = session.get(PacingExperiment, experiment_id)
    if found is None:
        raise NotFound("pacing experiment not found", field="id")
    return found


def stop_experiment(
    session: Session, principal: Principal, experiment_id: int, *, now: datetime | None = None
) -> PacingExperiment:
    """Stop assigning arms (from the next tick on); stopping twice changes nothing."""
    policy.require_admin(principal, action="stop pacing experiments")
    experiment = get_experiment(session, principal, experiment_id)
    if experiment.status is ExperimentStatus.RUNNING:
        experiment.status = ExperimentStatus.STOPPED
        experiment.stopped_at = now or utcnow()
        session.commit()
    return experiment


# --- the pacing tick ------------------------------------------------------------------


@dataclass(frozen=True)
class ExperimentPlans:
    """The running experiment at a tick (if any): each campaign's arm and how to pace it."""

    experiment_id: int | None = None
    arms: dict[int, Arm] = field(default_factory=dict)
    plans: dict[int, CampaignPlan] = field(default_factory=dict)


def experiment_plans(
    session: Session, campaign_ids: Sequence[int], *, at: datetime, tick_seconds: float
) -> ExperimentPlans:
    """Arms and pacing plans of the campaigns, under the experiment running at `at`."""
    experiment = session.scalars(
        select(PacingExperiment)
        .where(
            PacingExperiment.status == ExperimentStatus.RUNNING,
            PacingExperiment.start_at <= at,
            or_(PacingExperiment.end_at.is_(None), PacingExperiment.end_at > at),
        )
        .order_by(PacingExperiment.id)
        .limit(1)
    ).first()
    if experiment is None or not campaign_ids:
        return ExperimentPlans()
    strategies = {
        Arm.CONTROL: strategy_plan(experiment.control_strategy, tick_seconds=tick_seconds),
        Arm.CANDIDATE: strategy_plan(experiment.candidate_strategy, tick_seconds=tick_seconds),
    }
    controllers = {arm: PacingController(plan.config) for arm, plan in strategies.items()}
    arms = {
        cid: arm_for(cid, salt=experiment.salt, allocation=experiment.allocation)
        for cid in campaign_ids
    }
    plans = {cid: (controllers[arm], strategies[arm].profile) for cid, arm in arms.items()}
    return ExperimentPlans(experiment.id, arms, plans)


def record_ticks(
    session: Session, plans: ExperimentPlans, decisions: Sequence[dict[str, Any]]
) -> None:
    """Add this tick's pacing error of every live campaign in the experiment (caller commits)."""
    if plans.experiment_id is None:
        return
    rows = []
    for d in decisions:
        arm = plans.arms.get(d["campaign_id"])
        budget = d["day_budget_micros"]
        if arm is None or budget <= 0 or d["status"] not in _LIVE:
            continue
        error = abs(d["spent_today_micros"] - d["target_spend_micros"]) / budget
        rows.append(
            {
                "experiment_id": plans.experiment_id,
                "campaign_id": d["campaign_id"],
                "day": d["day"],
                "arm": arm,
                "day_budget_micros": budget,
                "error_sum": error,
                "ticks": 1,
            }
        )
    upsert(session, DAYS, ["experiment_id", "campaign_id", "day"], rows, add={"error_sum", "ticks"})


# --- metrics per arm ------------------------------------------------------------------


@dataclass(frozen=True)
class ArmMetrics:
    """One arm: its campaigns and, over them, means with 95% confidence intervals.

    Each campaign's figure is the mean over its campaign-days in the experiment (the
    campaign is the unit of randomization, so intervals are over campaigns): pacing error
    = mean |spent - target| / budget over the day's ticks; utilization = spend / budget
    (spend counters); overdelivery = max(0, spend - budget) / budget.
    """

    arm: Arm
    strategy: PacingStrategy
    campaigns: int
    campaign_days: int
    pacing_error: Estimate
    utilization: Estimate
    overdelivery: Estimate


def arm_metrics(session: Session, principal: Principal, experiment_id: int) -> list[ArmMetrics]:
    """CONTROL then CANDIDATE, from the recorded campaign-days and the spend counters."""
    experiment = get_experiment(session, principal, experiment_id)
    rows = session.execute(
        select(
            PacingExperimentDay.campaign_id,
            PacingExperimentDay.arm,
            PacingExperimentDay.day_budget_micros,
            PacingExperimentDay.error_sum,
            PacingExperimentDay.ticks,
            CampaignDaySpend.spend_micros,
        )
        .outerjoin(
            CampaignDaySpend,
            (CampaignDaySpend.campaign_id == PacingExperimentDay.campaign_id)
            & (CampaignDaySpend.day == PacingExperimentDay.day),
        )
        .where(PacingExperimentDay.experiment_id == experiment_id)
    ).all()
    per_campaign: dict[Arm, dict[int, list[tuple[float, float, float]]]] = defaultdict(dict)
    for cid, arm, budget, error_sum, ticks, spend in rows:
        spent = int(spend or 0)
        day = (error_sum / max(ticks, 1), spent / budget, max(0, spent - budget) / budget)
        per_campaign[Arm(arm)].setdefault(cid, []).append(day)
    strategies = {
        Arm.CONTROL: experiment.control_strategy,
        Arm.CANDIDATE: experiment.candidate_strategy,
    }
    return [
        arm_summary(arm, strategies[arm], per_campaign.get(arm, {}))
        for arm in (Arm.CONTROL, Arm.CANDIDATE)
    ]


def arm_summary(
    arm: Arm, strategy: PacingStrategy, days: dict[int, list[tuple[float, float, float]]]
) -> ArmMetrics:
    """Per-campaign means of (error, utilization, overdelivery) days, then CIs over campaigns."""
    means = [tuple(sum(v[i] for v in ds) / len(ds) for i in range(3)) for ds in days.values()]
    return ArmMetrics(
        arm=arm,
        strategy=strategy,
        campaigns=len(days),
        campaign_days=sum(len(ds) for ds in days.values()),
        pacing_error=mean_ci([m[0] for m in means]),
        utilization=mean_ci([m[1] for m in means]),
        overdelivery=mean_ci([m[2] for m in means]),
    )
