"""Pacing experiments: the `pacingExperiments` roots, their arms' metrics, create and stop."""

from __future__ import annotations

from typing import Any

from ariadne import EnumType, MutationType, ObjectType, QueryType
from graphql import GraphQLResolveInfo
from sqlalchemy.orm import Session

from ads.api.ids import InvalidId, expect_id
from ads.api.resolvers.node import bind_ids, load_node
from ads.api.resolvers.payloads import mutate
from ads.auth import policy
from ads.errors import Invalid
from ads.pacing.experiments.models import PacingExperiment
from ads.pacing.experiments.rules import Arm, ExperimentStatus, PacingStrategy
from ads.pacing.experiments.service import (
    ArmMetrics,
    arm_metrics,
    create_experiment,
    list_experiments,
    stop_experiment,
)

query = QueryType()
mutation = MutationType()
experiment = ObjectType("PacingExperiment")
enums = [
    EnumType("PacingStrategy", PacingStrategy),
    EnumType("PacingExperimentStatus", ExperimentStatus),
    EnumType("PacingExperimentArm", Arm),
]


bind_ids("PacingExperiment", experiment)


def _pk(value: Any) -> int:
    try:
        return expect_id(str(value), "PacingExperiment")
    except InvalidId:
        raise Invalid("not a PacingExperiment ID", field="id", code="INVALID_ID") from None


@query.field("pacingExperiments")
async def resolve_experiments(_: Any, info: GraphQLResolveInfo) -> list[PacingExperiment]:
    viewer = info.context.viewer
    return await info.context.run_sync(lambda s: list_experiments(s, viewer))


@query.field("pacingExperiment")
def resolve_experiment(_: Any, info: GraphQLResolveInfo, *, id: str) -> Any:
    policy.require_admin(info.context.viewer, action="read pacing experiments")
    return load_node(info, id, "PacingExperiment")


@experiment.field("arms")
async def resolve_arms(obj: PacingExperiment, info: GraphQLResolveInfo) -> list[ArmMetrics]:
    viewer, pk = info.context.viewer, obj.id
    return await info.context.run_sync(lambda s: arm_metrics(s, viewer, pk))


@mutation.field("createPacingExperiment")
async def resolve_create(_: Any, info: GraphQLResolveInfo, *, input: dict[str, Any]) -> Any:
    viewer = info.context.viewer

    def use_case() -> Any:
        def run(s: Session) -> PacingExperiment:
            return create_experiment(
                s, viewer, name=input["name"],
                control_strategy=input.get("control_strategy") or PacingStrategy.DEFAULT,
                candidate_strategy=input["candidate_strategy"], allocation=input["allocation"],
                start_at=input["start_at"], end_at=input.get("end_at"),
            )  # fmt: skip

        return run

    return await mutate(info, input, "pacing_experiment", use_case)


@mutation.field("stopPacingExperiment")
async def resolve_stop(_: Any, info: GraphQLResolveInfo, *, input: dict[str, Any]) -> Any:
    viewer = info.context.viewer

    def use_case() -> Any:
        pk = _pk(input["id"])
        return lambda s: stop_experiment(s, viewer, pk)

    return await mutate(info, input, "pacing_experiment", use_case)


bindables = [query, mutation, experiment, *enums]
