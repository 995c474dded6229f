"""`Campaign.pacingCurve`: a local day's target and actual spend, for any client's chart."""

from __future__ import annotations

from datetime import date
from typing import Any

from ariadne import ObjectType
from graphql import GraphQLResolveInfo

from ads.api.money import Money
from ads.campaigns.budget_rules import describe
from ads.campaigns.models import Campaign
from ads.pacing.domain.day_curve import CurvePoint, HourSpend
from ads.reporting.pacing_curve import PacingCurveView, pacing_curve

campaign = ObjectType("Campaign")
curve_type = ObjectType("PacingCurve")
point_type = ObjectType("PacingCurvePoint")
hour_type = ObjectType("HourlySpend")


class _In:
    """A part of a curve with the currency its amounts are in."""

    __slots__ = ("currency", "part")

    def __init__(self, part: Any, currency: str) -> None:
        self.part, self.currency = part, currency

    def money(self, micros: int | None) -> Money | None:
        return None if micros is None else Money(micros, self.currency)


@campaign.field("pacingCurve")
async def resolve_pacing_curve(
    obj: Campaign, info: GraphQLResolveInfo, *, day: date | None = None
) -> PacingCurveView:
    viewer, now = info.context.viewer, info.context.now
    return await info.context.run_sync(lambda s: pacing_curve(s, viewer, obj.id, day=day, now=now))


def _view(attribute: str) -> Any:
    return lambda view, _info: getattr(view, attribute)


def _curve(attribute: str) -> Any:
    return lambda view, _info: getattr(view.curve, attribute)


def _curve_money(attribute: str) -> Any:
    return lambda view, _info: Money(getattr(view.curve, attribute), view.currency)


curve_type.set_field("day", _view("day"))
curve_type.set_field("start", _curve("day_start"))
curve_type.set_field("end", _curve("day_end"))
curve_type.set_field("asOf", _curve("as_of"))
curve_type.set_field("budget", _curve_money("budget_micros"))
curve_type.set_field("hardCap", _curve_money("hard_cap_micros"))
curve_type.set_field("spent", _curve_money("spent_micros"))
curve_type.set_field("projectedEndOfDay", _curve_money("projected_end_micros"))


@curve_type.field("hours")
def resolve_hours(view: PacingCurveView, _info: GraphQLResolveInfo) -> float:
    return (view.curve.day_end - view.curve.day_start).total_seconds() / 3600


@curve_type.field("budgetRule")
def resolve_budget_rule(view: PacingCurveView, _info: GraphQLResolveInfo) -> str:
    return describe(view.rule)


@curve_type.field("points")
def resolve_points(view: PacingCurveView, _info: GraphQLResolveInfo) -> list[_In]:
    return [_In(point, view.currency) for point in view.curve.points]


@curve_type.field("hourly")
def resolve_hourly(view: PacingCurveView, _info: GraphQLResolveInfo) -> list[_In]:
    return [_In(hour, view.currency) for hour in view.curve.hours]


def _point(attribute: str) -> Any:
    def resolve(obj: _In, _info: GraphQLResolveInfo) -> Money | None:
        point: CurvePoint = obj.part
        return obj.money(getattr(point, attribute))

    return resolve


point_type.set_field("at", lambda obj, _info: obj.part.at)
point_type.set_field("target", _point("target_micros"))
point_type.set_field("actual", _point("actual_micros"))
point_type.set_field("projected", _point("projected_micros"))


def _hour(attribute: str) -> Any:
    def resolve(obj: _In, _info: GraphQLResolveInfo) -> Any:
        hour: HourSpend = obj.part
        return getattr(hour, attribute)

    return resolve


hour_type.set_field("start", _hour("start"))
hour_type.set_field("end", _hour("end"))
hour_type.set_field("spend", lambda obj, _info: obj.money(obj.part.spend_micros))
hour_type.set_field("impressions", _hour("impressions"))
hour_type.set_field("clicks", _hour("clicks"))

bindables = [campaign, curve_type, point_type, hour_type]
