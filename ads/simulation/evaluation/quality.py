"""Pacing quality per campaign-day and per strategy, the inputs of the target checks.

Definitions (all in % of the day's budget B, a LIFETIME campaign's being that day's
allowance):

* target curve: the share of the campaign's expected eligible traffic (its regions and
  audience, the daily waves, no noise, no surges) that has passed, a curve no strategy
  is told; spending along it is spending in proportion to the traffic.
* enough traffic: a campaign-day whose winnings in a counterfactual replay of the same
  opportunities, where every campaign stays in every auction all day (throttle 1, no
  budget stop), reach B: the traffic it can count on whatever the strategies do
  (`ads.simulation.evaluation.capacity`). Strategy-independent and conservative: a campaign that
  could fill B only because its competitors ran out early is not counted. (It replaced
  "the no-pacing run delivered at least B", which counted exactly those campaigns.)
* utilization: delivered / B, over campaign-days with enough traffic.
* overdelivery: max(0, delivered - B) / B.
* pacing error: mean and max over the day's minutes of |cumulative delivered -
  B x target|, over campaign-days with enough traffic.
* early exhaustion: delivered reached 99% of B before 90% of the local day had passed.
* spend volatility (lower is smoother): standard deviation over the day's hours of
  hourly delivered / hourly target, enough-traffic campaign-days only.
* revenue: what may be charged, min(delivered, B) (billing charges no overdelivery),
  in USD; effective CPM over impressions and CPC over clicks of CPC ad groups, in USD.
* at the floor: a minute in which the campaign served at its strategy's lowest rate or
  below it (0 < throttle <= the floor; 0 is a stop, not the floor). The share of all
  campaign-minutes at the floor, and the share of campaign-days that spent more than
  half their minutes there: a pacer whose resolution does not reach a campaign's rate
  holds it at the floor, where it spends too fast and is stopped, or stalls.
* last spend: the share of its local day gone when a campaign-day's last charge came,
  over campaign-days with enough traffic (a campaign that paces to the end of its day
  spends in its last minutes): the lowest, the 10th percentile and the median.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import asdict, dataclass
from datetime import timedelta

from ads.simulation.market.book import SimCampaign
from ads.simulation.market.eligible_shapes import eligible_share
from ads.simulation.market.loop import CampaignDay, MarketRun
from ads.simulation.market.traffic import RegionTraffic

EARLY_DAY_FRACTION = 0.9
EXHAUSTED_SHARE = 0.99


@dataclass(frozen=True)
class DayMetrics:
    """One campaign-day under one strategy."""

    campaign: int
    day: int
    budget_micros: int
    delivered_micros: int
    enough_traffic: bool
    utilization: float
    overdelivery: float
    pacing_error_mean: float
    pacing_error_max: float
    exhausted_at_fraction: float | None
    volatility: float
    impressions: int
    clicks: int
    revenue_usd: float
    click_cost_usd: float
    minutes: int = 0
    floor_minutes: int = 0
    last_spend_fraction: float | None = None

    @property
    def early_exhaustion(self) -> bool:
        return self.exhausted_at_fraction is not None and (
            self.exhausted_at_fraction < EARLY_DAY_FRACTION
        )


@dataclass(frozen=True)
class Summary:
    """A strategy's figures over all campaign-days (percentages as fractions)."""

    strategy: str
    campaign_days: int
    enough_traffic: int
    utilization_mean: float
    utilization_min: float
    overdelivery_max: float
    overdelivery_mean: float
    pacing_error_mean: float
    pacing_error_max: float
    early_exhaustion_share: float
    volatility_mean: float
    revenue_usd: float
    ecpm_usd: float
    ecpc_usd: float
    floor_share: float = 0.0
    mostly_at_floor_share: float = 0.0
    last_spend_min: float | None = None
    last_spend_p10: float | None = None
    last_spend_median: float | None = None

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def target_curve(
    campaign: SimCampaign, cd: CampaignDay, regions: list[RegionTraffic]
) -> list[float]:
    """Cumulative share (0..1) of the campaign's expected eligible traffic at each minute's end."""
    weights = eligible_share(campaign, [r.region.name for r in regions])
    per_minute = []
    for m in range(len(cd.spend_per_minute)):
        at = cd.window.start + timedelta(minutes=m)
        per_minute.append(
            sum(
                weights.get(r.region.name, 0.0) * r.expected(at, with_surges=False) for r in regions
            )
        )
    total = math.fsum(per_minute) or 1.0
    out, running = [], 0.0
    for value in per_minute:
        running += value
        out.append(running / total)
    return out


def day_metrics(
    campaign: SimCampaign,
    cd: CampaignDay,
    target: list[float],
    *,
    enough_traffic: bool,
    floor_rate: float | None = None,
) -> DayMetrics:
    """Metrics of one campaign-day given its target curve and whether traffic could fill it.

    `floor_rate` is the strategy's lowest rate while budget remains (None: it has none).
    """
    budget = max(cd.budget_micros, 1)
    delivered = sum(cd.spend_per_minute)
    minutes = len(cd.spend_per_minute)
    errors, running, exhausted, last = [], 0, None, None
    for m, spent in enumerate(cd.spend_per_minute):
        running += spent
        errors.append(abs(running - budget * target[m]) / budget)
        if exhausted is None and running >= EXHAUSTED_SHARE * budget:
            exhausted = (m + 1) / minutes
        if spent:
            last = m
    at_floor = (
        0 if floor_rate is None else sum(1 for t in cd.throttle_per_minute if 0.0 < t <= floor_rate)
    )
    rate = campaign.usd_per_unit / 1e6
    return DayMetrics(
        campaign=cd.key,
        day=cd.day,
        budget_micros=cd.budget_micros,
        delivered_micros=delivered,
        enough_traffic=enough_traffic,
        utilization=delivered / budget,
        overdelivery=max(0, delivered - budget) / budget,
        pacing_error_mean=statistics.fmean(errors) if errors else 0.0,
        pacing_error_max=max(errors, default=0.0),
        exhausted_at_fraction=exhausted,
        volatility=_volatility(cd.spend_per_minute, target, budget),
        impressions=cd.impressions,
        clicks=cd.clicks,
        revenue_usd=min(delivered, cd.budget_micros) * rate,
        click_cost_usd=cd.click_cost_micros * rate,
        minutes=minutes,
        floor_minutes=at_floor,
        last_spend_fraction=None if last is None else (last + 1) / minutes,
    )


def all_day_metrics(
    book: list[SimCampaign],
    run: MarketRun,
    regions: list[RegionTraffic],
    enough: set[tuple[int, int]],
    curves: dict[tuple[int, int], list[float]] | None = None,
) -> list[DayMetrics]:
    """Every campaign-day's metrics; pass `curves` to reuse target curves across strategies."""
    out = []
    for key, cd in sorted(run.days.items()):
        if curves is not None and key in curves:
            curve = curves[key]
        else:
            curve = target_curve(book[key[0]], cd, regions)
            if curves is not None:
                curves[key] = curve
        out.append(
            day_metrics(
                book[key[0]], cd, curve, enough_traffic=key in enough, floor_rate=run.floor_rate
            )
        )
    return out


def summarize(strategy: str, days: list[DayMetrics]) -> Summary:
    """Aggregate campaign-days into the strategy's figures."""
    full = [d for d in days if d.enough_traffic]
    impressions = sum(d.impressions for d in days)
    clicks = sum(d.clicks for d in days)
    revenue = math.fsum(d.revenue_usd for d in days)
    minutes = sum(d.minutes for d in days)
    last = sorted(d.last_spend_fraction or 0.0 for d in full)
    return Summary(
        strategy=strategy,
        campaign_days=len(days),
        enough_traffic=len(full),
        utilization_mean=_mean(min(d.utilization, 1.0) for d in full),
        utilization_min=min((d.utilization for d in full), default=0.0),
        overdelivery_max=max((d.overdelivery for d in days), default=0.0),
        overdelivery_mean=_mean(d.overdelivery for d in days),
        pacing_error_mean=_mean(d.pacing_error_mean for d in full),
        pacing_error_max=max((d.pacing_error_max for d in full), default=0.0),
        early_exhaustion_share=_mean(float(d.early_exhaustion) for d in days),
        volatility_mean=_mean(d.volatility for d in full),
        revenue_usd=revenue,
        ecpm_usd=1000 * revenue / impressions if impressions else 0.0,
        ecpc_usd=math.fsum(d.click_cost_usd for d in days) / clicks if clicks else 0.0,
        floor_share=sum(d.floor_minutes for d in days) / minutes if minutes else 0.0,
        mostly_at_floor_share=_mean(float(2 * d.floor_minutes > d.minutes) for d in days),
        last_spend_min=last[0] if last else None,
        last_spend_p10=_quantile(last, 0.1),
        last_spend_median=_quantile(last, 0.5),
    )


def _quantile(ordered: list[float], q: float) -> float | None:
    """The q-quantile of sorted values, the lower one of the two around it (None: none)."""
    if not ordered:
        return None
    return ordered[min(len(ordered) - 1, math.floor(q * (len(ordered) - 1)))]


def _volatility(spend: list[int], target: list[float], budget: int) -> float:
    ratios, previous = [], 0.0
    for end in range(60, len(spend) + 1, 60):
        want = budget * (target[end - 1] - previous)
        previous = target[end - 1]
        if want > 0:
            ratios.append(sum(spend[end - 60 : end]) / want)
    return statistics.pstdev(ratios) if len(ratios) > 1 else 0.0


def _mean(values: object) -> float:
    items = list(values)  # type: ignore[call-overload]
    return statistics.fmean(items) if items else 0.0
