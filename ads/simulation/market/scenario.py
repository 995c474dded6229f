"""A simulation scenario: the market to replay, read from a small TOML file with defaults.

Every field has a documented default, so a scenario file only says what differs. The
defaults are calibrated on published figures; where a figure is ours, it says so:

* Traffic: opportunities per minute are Poisson around a daily cosine wave
  `mean(m) = dc * (1 + amplitude * cos(2π (m/1440 + phase)))`, amplitude 0.75, as in
  Yahoo's open-source pacing simulator that accompanies the Mystique paper
  (github.com/yahoo/BudgetPacingSimulation, `src/configuration.py`:
  `DailyCosineWave(dc=1500, amplitude=0.75, ...)`). Here the phase is given as the local
  peak hour of each region, 20:00 by default (the evening peak of consumer traffic).
* Budgets: log(daily budget in USD) ~ Gamma(shape 3.77, scale 1), clipped to
  [5, 1500] USD, the fit published in the same simulator
  (`daily_budgets_log_distribution = stats.gamma(a=3.77)`, `campaign_min_budget = 5`,
  `campaign_max_budget = 1500`).
* Bids: log-normal, as the same simulator fits bids (`stats.lognorm`). Its fitted scale
  is per native impression in USD (medians around $0.0003); the level here, a median CPM
  of $2 with sigma 0.6 (90% of CPM bids between $0.75 and $5.4), is our assumption for
  display inventory and can be changed per scenario.
* Competition outside the simulated campaigns ("untracked bids" in Yahoo's simulator)
  is one log-normal bid per opportunity (their sigma 2.14 is kept; the median is ours).
* CTR: log-normal around 0.5% (sigma 0.5), our assumption for display/native ads.
* Targeting: each drawn ad group buys its advertiser's home region (the region in the
  currency's timezone) and each other region with probability 0.25 (ours: advertisers
  mostly buy their home market; the `global_reach` scenario raises it).
* Delays: events reach ingestion 60 s + Exp(mean 60 s) after the impression (ours);
  the ad server polls pacing decisions every 120 s, pacing ticks every 60 s (ours).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import date
from pathlib import Path
from typing import Any, TypeVar, get_type_hints

from ads.campaigns.rules import BillingEvent, BudgetType
from ads.simulation.market.auction import Pricing

T = TypeVar("T")
SCENARIOS = Path(__file__).parent / "scenarios"


@dataclass(frozen=True, kw_only=True)
class Region:
    """Where opportunities come from: a timezone for its daily wave and a share of volume."""

    name: str
    timezone: str
    share: float = 1.0
    peak_hour: float = 20.0


@dataclass(frozen=True, kw_only=True)
class Surge:
    """A traffic spike (factor > 1) or dip (factor < 1) at a local hour of a region.

    Unforeseen by every strategy: the target curves don't include it.
    """

    region: str
    day: int = 0
    local_hour: float = 12.0
    minutes: int = 60
    factor: float = 2.0


@dataclass(frozen=True, kw_only=True)
class Traffic:
    """Opportunity volume. `opportunities_per_day` is the expected total over all regions."""

    opportunities_per_day: int = 1_000_000
    amplitude: float = 0.75
    regions: tuple[Region, ...] = (
        Region(name="us", timezone="America/New_York", share=0.5),
        Region(name="eu", timezone="Europe/Berlin", share=0.3),
        Region(name="jp", timezone="Asia/Tokyo", share=0.2),
    )
    surges: tuple[Surge, ...] = (
        Surge(region="us", local_hour=13.0, minutes=45, factor=2.5),
        Surge(region="eu", local_hour=9.0, minutes=90, factor=0.3),
    )


@dataclass(frozen=True, kw_only=True)
class Delays:
    """How late things happen: event delivery, the ad server's polling, pacing ticks."""

    event_delay_seconds: float = 60.0
    event_jitter_mean_seconds: float = 60.0
    poll_seconds: int = 120
    tick_seconds: int = 60


@dataclass(frozen=True, kw_only=True)
class Competition:
    """Demand outside the simulated campaigns, the floor price, and what a winner pays."""

    background_cpm_median_micros: int = 1_200_000
    background_sigma: float = 2.14
    reserve_cpm_micros: int = 100_000
    pricing: Pricing = Pricing.SECOND_PRICE


@dataclass(frozen=True, kw_only=True)
class Currency:
    """A currency the population uses: its rate to USD, its advertisers' timezone, weight."""

    code: str
    usd_per_unit: float
    timezone: str
    weight: float = 1.0


@dataclass(frozen=True, kw_only=True)
class Population:
    """Campaigns drawn at random from the published distributions (see module docstring)."""

    campaigns: int = 60
    log_budget_gamma_shape: float = 3.77
    log_budget_gamma_scale: float = 1.0
    budget_min_usd: float = 5.0
    budget_max_usd: float = 1500.0
    lifetime_share: float = 0.3
    flight_days: tuple[int, int] = (2, 7)
    cpm_median_usd: float = 2.0
    cpm_sigma: float = 0.6
    cpc_share: float = 0.4
    ctr_median: float = 0.005
    ctr_sigma: float = 0.5
    ad_groups: tuple[int, int] = (1, 3)
    audience_share: tuple[float, float] = (0.05, 0.6)
    foreign_region_probability: float = 0.25
    currencies: tuple[Currency, ...] = (
        Currency(code="USD", usd_per_unit=1.0, timezone="America/New_York", weight=0.5),
        Currency(code="EUR", usd_per_unit=1.08, timezone="Europe/Berlin", weight=0.3),
        Currency(code="JPY", usd_per_unit=0.0067, timezone="Asia/Tokyo", weight=0.2),
    )


@dataclass(frozen=True, kw_only=True)
class AdGroupSpec:
    """One ad group: a bid (per 1000 impressions for CPM, per click for CPC) and targeting.

    `regions` empty means all regions; `audience` is the slice [start, start + share) of
    each region's users it targets (breadth), so overlapping slices compete.
    """

    name: str = "ad group"
    billing: BillingEvent = BillingEvent.IMPRESSION
    bid_micros: int
    ctr: float = 0.005
    regions: tuple[str, ...] = ()
    audience_start: float = 0.0
    audience_share: float = 1.0


@dataclass(frozen=True, kw_only=True)
class CampaignSpec:
    """A campaign: budget in its advertiser's currency and timezone, and its ad groups.

    For a LIFETIME budget, `flight_days` is the flight's length from the first day.
    """

    name: str
    currency: str = "USD"
    timezone: str = "America/New_York"
    budget_type: BudgetType = BudgetType.DAILY
    budget_micros: int
    flight_days: int = 1
    ad_groups: tuple[AdGroupSpec, ...]


@dataclass(frozen=True, kw_only=True)
class Targets:
    """Pacing targets a scenario adds to the ones every scenario checks (None: not checked).

    `last_spend_from`: every campaign-day with enough traffic spends for the last time at
    or after this share of its local day (a pacer that stalls or runs out fails it).
    `floor_share_below`: fewer than this share of campaign-minutes at the floor.
    """

    last_spend_from: float | None = None
    floor_share_below: float | None = None


@dataclass(frozen=True, kw_only=True)
class Scenario:
    """The whole market. `campaigns` are listed by hand; `population` adds random ones.

    `warmup_days`: the first days run but are left out of the metrics. The production
    pacing service learns each campaign's hourly traffic shape from its own history
    (delivered events over the throttle-seconds in force, `ads.pacing.domain.exposure`), so
    its first day in a new market runs on the shape its targeted regions imply (the
    scenario's regions are the deployment's `ADS_TRAFFIC_REGIONS`), as a brand-new
    campaign in a new market does; measuring from the second day measures the pacer in
    its steady state.
    """

    name: str = "unnamed"
    description: str = ""
    start: date = date(2026, 6, 10)
    days: int = 1
    warmup_days: int = 0
    seed: int = 1
    usd_per_unit: dict[str, float] = field(default_factory=lambda: {"USD": 1.0})
    delivered_overdelivery_fraction: float = 0.01
    traffic: Traffic = field(default_factory=Traffic)
    delays: Delays = field(default_factory=Delays)
    competition: Competition = field(default_factory=Competition)
    population: Population | None = None
    campaigns: tuple[CampaignSpec, ...] = ()
    targets: Targets = field(default_factory=Targets)

    def __post_init__(self) -> None:
        if self.days < 1:
            raise ValueError("a scenario runs at least one day")
        if not 0 <= self.warmup_days < self.days:
            raise ValueError("warmup_days lies in [0, days): some day must be measured")
        if self.delays.tick_seconds % 60 or self.delays.poll_seconds % 60:
            raise ValueError("tick and poll periods are whole minutes")
        if self.traffic.opportunities_per_day < 0 or not self.traffic.regions:
            raise ValueError("traffic needs regions and a non-negative volume")
        names = {r.name for r in self.traffic.regions}
        for surge in self.traffic.surges:
            if surge.region not in names:
                raise ValueError(f"surge in unknown region {surge.region!r}")


def load_scenario(source: str | Path) -> Scenario:
    """A scenario from a TOML file path, or the name of a bundled one ("default")."""
    path = Path(source)
    if path.suffix != ".toml" and not path.exists():
        path = SCENARIOS / f"{source}.toml"
        if not path.exists():
            raise ValueError(
                f"no bundled scenario {str(source)!r} (bundled: {', '.join(bundled_scenarios())})"
                " and no such .toml file"
            )
    try:
        data = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{path} is not valid TOML: {exc}") from None
    return parse_scenario(data)


def parse_scenario(data: dict[str, Any]) -> Scenario:
    """Build a Scenario from parsed TOML; unknown keys are errors, missing ones defaults."""
    return _build(Scenario, data, "scenario")


def bundled_scenarios() -> list[str]:
    """Names of the scenarios shipped in ads/simulation/market/scenarios/."""
    return sorted(p.stem for p in SCENARIOS.glob("*.toml"))


def _build(cls: type[T], data: dict[str, Any], where: str) -> T:
    hints = get_type_hints(cls)
    known = {f.name for f in fields(cls)}  # type: ignore[arg-type]
    unknown = set(data) - known
    if unknown:
        raise ValueError(f"{where}: unknown keys {sorted(unknown)}")
    kwargs = {key: _convert(hints[key], value, f"{where}.{key}") for key, value in data.items()}
    return cls(**kwargs)


def _convert(hint: Any, value: Any, where: str) -> Any:
    origin = getattr(hint, "__origin__", None)
    args: tuple[Any, ...] = tuple(getattr(hint, "__args__", ()))
    if hint is type(None):
        return value
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_convert(args[0], v, f"{where}[]") for v in value)
        return tuple(_convert(a, v, f"{where}[]") for a, v in zip(args, value, strict=True))
    if origin is dict:
        return {str(k): _convert(args[1], v, f"{where}.{k}") for k, v in value.items()}
    if args and type(None) in args:  # X | None
        inner = next(a for a in args if a is not type(None))
        return None if value is None else _convert(inner, value, where)
    if isinstance(hint, type) and is_dataclass(hint):
        if not isinstance(value, dict):
            raise ValueError(f"{where}: expected a table")
        return _build(hint, value, where)
    if hint is date:
        return value if isinstance(value, date) else date.fromisoformat(value)
    if hint is float:
        return float(value)
    if isinstance(hint, type):
        try:
            return hint(value)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{where}: {exc}") from None
    return value
