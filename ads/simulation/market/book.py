"""The simulated campaigns' calendar: each campaign's local days and its ad groups, in UTC."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from ads.campaigns.budget_rules import BudgetRule
from ads.campaigns.rules import BudgetType
from ads.simulation.market.scenario import AdGroupSpec, CampaignSpec, Scenario
from ads.time import day_bounds


@dataclass(frozen=True)
class DayWindow:
    """One local day of a campaign: its date and UTC bounds (23 to 25 hours)."""

    local_date: date
    start: datetime
    end: datetime


@dataclass(frozen=True)
class SimCampaign:
    """A campaign as the market runs it: `key` is its position, days are the simulated ones.

    `flight_last_day` is the local date its LIFETIME flight ends (for the daily allowance).
    """

    key: int
    spec: CampaignSpec
    tz: ZoneInfo
    usd_per_unit: float
    days: tuple[DayWindow, ...]
    flight_last_day: date

    @property
    def lifetime(self) -> bool:
        return self.spec.budget_type is BudgetType.LIFETIME

    @property
    def ad_groups(self) -> tuple[AdGroupSpec, ...]:
        return self.spec.ad_groups

    def day_index(self, at: datetime) -> int | None:
        """Which simulated local day `at` falls in, or None outside them."""
        for i, window in enumerate(self.days):
            if window.start <= at < window.end:
                return i
        return None


def build_book(
    scenario: Scenario, campaigns: tuple[CampaignSpec, ...], rates: dict[str, float], days: int
) -> list[SimCampaign]:
    """Each campaign's first `days` local days from the scenario start (shorter flights stop)."""
    book = []
    for key, spec in enumerate(campaigns):
        tz = ZoneInfo(spec.timezone)
        flight = spec.flight_days if spec.budget_type is BudgetType.LIFETIME else days
        windows = []
        for offset in range(min(days, flight)):
            local = scenario.start + timedelta(days=offset)
            start, end = day_bounds(local, tz)
            windows.append(DayWindow(local, start, end))
        last = scenario.start + timedelta(days=max(flight, 1) - 1)
        book.append(SimCampaign(key, spec, tz, rates[spec.currency], tuple(windows), last))
    return book


def horizon(book: list[SimCampaign]) -> tuple[datetime, datetime]:
    """From the earliest local midnight to the latest end among the simulated days."""
    starts = [c.days[0].start for c in book if c.days]
    ends = [c.days[-1].end for c in book if c.days]
    return min(starts), max(ends)


def rule_for(scenario: Scenario) -> BudgetRule:
    """The budget rule every campaign of the scenario runs under."""
    return BudgetRule(delivered_overdelivery_fraction=scenario.delivered_overdelivery_fraction)
