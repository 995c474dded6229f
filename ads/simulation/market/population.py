"""Campaigns drawn at random from a scenario's population distributions (deterministic per seed)."""

from __future__ import annotations

import math
import random

from ads.campaigns.rules import BillingEvent, BudgetType
from ads.money import MICROS_PER_UNIT
from ads.simulation.market.scenario import AdGroupSpec, CampaignSpec, Population, Scenario


def all_campaigns(scenario: Scenario) -> tuple[CampaignSpec, ...]:
    """The hand-written campaigns, then the drawn ones; the same list for every strategy."""
    drawn = () if scenario.population is None else draw_population(scenario, scenario.population)
    return scenario.campaigns + drawn


def usd_rates(scenario: Scenario) -> dict[str, float]:
    """USD per unit of each currency the scenario mentions (the auction compares in USD)."""
    rates = dict(scenario.usd_per_unit)
    if scenario.population is not None:
        for currency in scenario.population.currencies:
            rates.setdefault(currency.code, currency.usd_per_unit)
    return rates


def draw_population(scenario: Scenario, pop: Population) -> tuple[CampaignSpec, ...]:
    """`pop.campaigns` campaigns: gamma log-budgets, log-normal bids and CTRs.

    Drawn from their own random stream (the scenario seed), so the market is the same
    whatever `--seed` the run uses for traffic and auctions.
    """
    rng = random.Random(f"population:{scenario.seed}")
    regions = [r.name for r in scenario.traffic.regions]
    home_of = {r.timezone: r.name for r in scenario.traffic.regions}
    weights = [c.weight for c in pop.currencies]
    out: list[CampaignSpec] = []
    for i in range(pop.campaigns):
        currency = rng.choices(pop.currencies, weights)[0]
        budget_usd = math.exp(
            rng.gammavariate(pop.log_budget_gamma_shape, pop.log_budget_gamma_scale)
        )
        budget_usd = min(pop.budget_max_usd, max(pop.budget_min_usd, budget_usd))
        lifetime = rng.random() < pop.lifetime_share
        flight = rng.randint(*pop.flight_days) if lifetime else 1
        # A lifetime budget is drawn as a daily one, times the flight's length.
        budget = _to_micros(budget_usd * flight / currency.usd_per_unit)
        groups = []
        for g in range(rng.randint(*pop.ad_groups)):
            cpm_usd = pop.cpm_median_usd * math.exp(rng.gauss(0.0, pop.cpm_sigma))
            ctr = min(0.2, pop.ctr_median * math.exp(rng.gauss(0.0, pop.ctr_sigma)))
            cpc = rng.random() < pop.cpc_share
            bid_usd = cpm_usd / (1000 * ctr) if cpc else cpm_usd
            share = rng.uniform(*pop.audience_share)
            home = home_of.get(currency.timezone)
            targeted = [
                r for r in regions if r == home or rng.random() < pop.foreign_region_probability
            ]
            groups.append(
                AdGroupSpec(
                    name=f"c{i}g{g}",
                    billing=BillingEvent.CLICK if cpc else BillingEvent.IMPRESSION,
                    bid_micros=max(1, _to_micros(bid_usd / currency.usd_per_unit)),
                    ctr=ctr,
                    regions=tuple(targeted) or tuple(regions),
                    audience_start=rng.uniform(0.0, 1.0 - share),
                    audience_share=share,
                )
            )
        out.append(
            CampaignSpec(
                name=f"c{i}",
                currency=currency.code,
                timezone=currency.timezone,
                budget_type=BudgetType.LIFETIME if lifetime else BudgetType.DAILY,
                budget_micros=max(1, budget),
                flight_days=flight,
                ad_groups=tuple(groups),
            )
        )
    return tuple(out)


def _to_micros(units: float) -> int:
    """Whole micros from a drawn amount; only drawn parameters pass through floats."""
    return round(units * MICROS_PER_UNIT)
