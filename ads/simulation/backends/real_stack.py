"""A `PacingBackend` over the real services on a throwaway database, on the simulated clock.

What runs is what production runs, minus HTTP and the broker:

* the market's advertisers, campaigns, ad groups and ads are created through
  `ads.accounts.service` and `ads.campaigns.service` (one advertiser per campaign, in the
  campaign's currency and timezone; one ad per ad group);
* events go through `ads.ingestion.service.record_events`, the function POST /v1/events
  runs, one batch per simulated minute with `now` = the minute they arrive;
* each tick runs `ads.pacing.service.recompute_shard`, the function the
  `pacing.recompute_shard` actor runs, with the slot = the simulated minute (the service
  takes its `now` from the slot, never the wall clock), on one shard;
* throttles, bid caps (`maxChargeMicros`) and headrooms (`headroomMicros`, as of
  the version's `computedAt`) are read back with `published_decisions`
  (what GET /v1/pacing serves) and
  day budgets with `campaign_pacing` (what the admin API shows);
* a pacing experiment, when asked for, is created through `ads.pacing.experiments.service`
  and the pacing service paces each campaign by its arm, as in production;
* at the end, `ads.simulation.backends.real_billing.close_books` runs aggregation, day close and
  reconciliation on the simulated days (see there).

One impression or click is one event, as the ad server sends them. The market keeps one
ad group's delivery of one minute as counts and a total cost; the total is spread over
its billable events (CPM: the impressions, CPC: the clicks) to the micro, so every sum
pacing and billing see is exact, only the split inside a minute is even.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from ads.accounts.service import create_advertiser
from ads.auth.principal import CLI_PRINCIPAL
from ads.campaigns.models import Campaign
from ads.campaigns.rules import BillingEvent, CampaignStatus, Objective
from ads.campaigns.service import create_ad, create_ad_group, create_campaign
from ads.config import Settings
from ads.db import make_engine, session_factory
from ads.ingestion.service import record_events
from ads.pacing.domain.controller import DEFAULT_CONFIG
from ads.pacing.experiments.models import PacingExperiment
from ads.pacing.experiments.rules import PacingStrategy
from ads.pacing.experiments.service import create_experiment
from ads.pacing.published import published_decisions
from ads.pacing.service import campaign_pacing, recompute_shard
from ads.schema_version import upgrade_to_head
from ads.simulation.backends.memory import Headroom, SpendEvent
from ads.simulation.market.book import SimCampaign
from ads.simulation.market.scenario import AdGroupSpec, Scenario
from ads.time import day_bounds

MINUTE = timedelta(minutes=1)


def stack_settings(scenario: Scenario, database_url: str) -> Settings:
    """Production settings with the scenario's clock (tick, event delay and poll period)
    and its traffic regions."""
    d = scenario.delays
    return Settings(
        database_url=database_url,
        pacing_tick_seconds=d.tick_seconds,
        pacing_shards=1,
        event_delay_seconds=round(d.event_delay_seconds + d.event_jitter_mean_seconds),
        pacing_poll_seconds=d.poll_seconds,
        traffic_regions=regions_setting(scenario),
    )


def regions_setting(scenario: Scenario) -> str:
    """`ADS_TRAFFIC_REGIONS` for the scenario: its regions, their clocks and shares, as a
    platform knows its own traffic."""
    return ",".join(f"{r.name}={r.timezone}:{r.share!r}" for r in scenario.traffic.regions)


def group_targeting(group: AdGroupSpec) -> dict[str, Any]:
    """An ad group's targeting as the real stack stores it (no regions: every region)."""
    return {
        "regions": list(group.regions),
        "audience": [group.audience_start, group.audience_start + group.audience_share],
    }


def fresh_sqlite_url(out: Path, name: str) -> str:
    """A new SQLite file under `out` (an earlier run's file is removed)."""
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{name}.db"
    for stale in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        stale.unlink(missing_ok=True)
    return f"sqlite:///{path}"


class RealStack:
    """The pacing side of the market run by the real services (see the module docstring).

    The database must be new or empty: it is migrated to head, and one that already holds
    campaigns is refused, so a run never mixes with other data.
    """

    def __init__(
        self,
        scenario: Scenario,
        book: list[SimCampaign],
        *,
        database_url: str,
        experiment: tuple[PacingStrategy, float] | None = None,
    ) -> None:
        self.scenario = scenario
        self.book = book
        #: The pacing service's lowest rate while budget remains.
        self.floor_rate = DEFAULT_CONFIG.min_rate
        self.settings = stack_settings(scenario, database_url)
        upgrade_to_head(self.settings)
        self.engine: Engine = make_engine(self.settings)
        self.session: Session = session_factory(self.engine)()
        if self.session.scalar(select(func.count()).select_from(Campaign)):
            self.close()
            raise ValueError(f"{database_url} already holds campaigns; give an empty database")
        self.campaign_ids: dict[int, int] = {}
        self.ad_ids: dict[tuple[int, int], int] = {}
        self.advertiser_ids: dict[int, int] = {}
        self.budgets: dict[tuple[int, int], int] = {}
        self.rejected = 0
        self.caps: dict[int, int] = {}
        self.rooms: dict[int, Headroom] = {}
        self._keys: dict[int, int] = {}
        self._populate()
        self.experiment: PacingExperiment | None = None
        if experiment is not None:
            # Created as an ADMIN would through GraphQL; the pacing tick then assigns
            # arms by the same hash as in production.
            candidate, allocation = experiment
            self.experiment = create_experiment(
                self.session, CLI_PRINCIPAL, name=f"simulation {scenario.name}",
                control_strategy=PacingStrategy.DEFAULT, candidate_strategy=candidate,
                allocation=allocation, start_at=self._start(), salt=f"simulation:{scenario.name}",
            )  # fmt: skip

    def _populate(self) -> None:
        s, admin = self.session, CLI_PRINCIPAL
        for c in self.book:
            if not c.days:
                continue
            spec = c.spec
            advertiser = create_advertiser(
                s, admin, name=f"sim {spec.name}", currency=spec.currency, timezone=spec.timezone
            )
            end = c.days[-1].end if not c.lifetime else _flight_end(c)
            campaign = create_campaign(
                s, admin, advertiser_id=advertiser.id, name=spec.name,
                objective=Objective.AWARENESS, start_at=c.days[0].start, end_at=end,
                budget_type=spec.budget_type, budget_micros=spec.budget_micros,
                status=CampaignStatus.ACTIVE,
            )  # fmt: skip
            self.advertiser_ids[c.key] = advertiser.id
            self.campaign_ids[c.key] = campaign.id
            self._keys[campaign.id] = c.key
            for index, g in enumerate(c.ad_groups):
                group = create_ad_group(
                    s, admin, campaign_id=campaign.id, name=g.name, bid_micros=g.bid_micros,
                    billing_event=g.billing, targeting=group_targeting(g),
                )  # fmt: skip
                ad = create_ad(
                    s, admin, ad_group_id=group.id, name=f"{g.name} ad",
                    creative_url="https://sim.example/creative.png",
                    destination_url="https://sim.example/landing",
                )  # fmt: skip
                self.ad_ids[c.key, index] = ad.id

    # --- PacingBackend -------------------------------------------------------------

    def ingest(self, now: datetime, events: Sequence[SpendEvent]) -> None:
        raws: list[dict[str, Any]] = []
        start = self._start()
        # One minute's delivery arrives spread over several minutes: the arrival minute
        # is part of the ids, which must be unique per event.
        arrival = int((now - start) / MINUTE)
        for e in events:
            ad = self.ad_ids.get((e.campaign, e.ad_group))
            if ad is not None:
                billing = self.book[e.campaign].ad_groups[e.ad_group].billing
                at = (start + e.minute * MINUTE + timedelta(seconds=30)).isoformat()
                raws.extend(_raw_events(e, ad, billing, at, f"sim-{arrival}"))
        if raws:
            report = record_events(self.session, raws, now=now)
            self.rejected += len(report.rejected)

    def tick(self, now: datetime) -> dict[int, float]:
        slot = now.timestamp()
        recompute_shard(self.session, slot=slot, shard=0, shards=1, settings=self.settings)
        published = published_decisions(self.session).campaigns or []
        days: dict[int, int] = {}
        for cid, view in campaign_pacing(self.session, list(self._keys)).items():
            key = self._keys[cid]
            day = day_index(self.book[key], view.day)
            if day is not None:
                self.budgets[key, day] = view.day_budget_micros
                days[key] = day
        self.session.rollback()  # end the read transaction; nothing is pending
        self.caps = {
            self._keys[row["id"]]: int(row["maxChargeMicros"])
            for row in published
            if row["maxChargeMicros"] is not None
        }
        # The ad server's side of the contract: the headroom as of the version's tick.
        self.rooms = {
            key: Headroom(
                days[key],
                int(row["headroomMicros"]),
                datetime.fromisoformat(row["computedAt"]),
            )
            for row in published
            if row["headroomMicros"] is not None and (key := self._keys[row["id"]]) in days
        }
        return {self._keys[row["id"]]: float(row["throttle"]) for row in published}

    def bid_caps(self) -> dict[int, int]:
        return self.caps

    def headrooms(self) -> dict[int, Headroom]:
        return self.rooms

    def day_budget(self, key: int, day: int) -> int:
        """The budget the pacing service used for that day (0 if it never ticked it)."""
        return self.budgets.get((key, day), 0)

    def close(self) -> None:
        self.session.close()
        self.engine.dispose()

    def _start(self) -> datetime:
        return min(c.days[0].start for c in self.book if c.days)


def _raw_events(
    e: SpendEvent, ad: int, billing: BillingEvent, at: str, prefix: str
) -> list[dict[str, Any]]:
    """The minute's impressions and clicks as ad-server events; the cost spread exactly."""
    base = f"{prefix}-{e.campaign}-{e.ad_group}-{e.minute}"
    click_costs = _split(e.cost_micros, e.clicks) if billing is BillingEvent.CLICK else None
    impression_costs = (
        [0] * e.impressions if click_costs is not None else _split(e.cost_micros, e.impressions)
    )
    out = [
        {"id": f"{base}-i{i}", "type": "IMPRESSION", "adId": ad, "costMicros": cost,
         "occurredAt": at}
        for i, cost in enumerate(impression_costs)
    ]  # fmt: skip
    out.extend(
        {"id": f"{base}-c{i}", "type": "CLICK", "adId": ad, "costMicros": cost, "occurredAt": at}
        for i, cost in enumerate(click_costs or [0] * e.clicks)
    )
    return out


def _split(total: int, parts: int) -> list[int]:
    """`total` over `parts` integers differing by at most one, summing to `total` exactly."""
    if parts <= 0:
        return []
    base, extra = divmod(total, parts)
    return [base + (i < extra) for i in range(parts)]


def _flight_end(c: SimCampaign) -> datetime:
    """The end of a LIFETIME flight: midnight after its last local day, in UTC."""
    return day_bounds(c.flight_last_day, c.tz)[1].astimezone(UTC)


def day_index(c: SimCampaign, local: Any) -> int | None:
    for i, window in enumerate(c.days):
        if window.local_date == local:
            return i
    return None
