"""The market loop on a simulated clock: traffic, auctions, late events, ticks and polls.

Each simulated minute, in order: events that have reached ingestion by now are handed
to the pacing backend; on a tick minute the backend publishes throttles, bid caps and
headrooms; on a poll minute the ad server picks up the latest published ones; then
the minute's opportunities are auctioned with the throttles the ad server holds, each
capped campaign's bids lowered to its bid cap (CPM: bid / 1000 per impression at most
the cap; CPC: the CPC bid at most the cap, ranked by the capped bid x CTR), so that a
second-price charge never exceeds the cap. Events still in
transit when the last minute ends are handed over after it, so billing sees them all.

The ad server holds each campaign's headroom as a real one would: the headroom counts
the spend that had reached ingestion by its tick, so the ad server subtracts its own
spend that arrived later or is still in transit, and caps the campaign's bids at what
is left (re-ranking as soon as a win brings that under the campaign's largest charge);
at nothing left the campaign stops. A headroom applies only on the campaign day it
was published for.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ads.campaigns.rules import BillingEvent
from ads.pacing.domain.budget import single_charge_micros
from ads.simulation.backends.memory import Headroom, PacingBackend, SpendEvent
from ads.simulation.market.auction import Candidate, charge_micros, ecpm_usd_micros
from ads.simulation.market.book import DayWindow, SimCampaign, horizon
from ads.simulation.market.entries import RegionAuctions
from ads.simulation.market.scenario import Scenario
from ads.simulation.market.traffic import poisson, region_traffic

MINUTE = timedelta(minutes=1)
Progress = Callable[[int, int], None]


@dataclass
class CampaignDay:
    """What one campaign delivered on one of its local days, minute by minute."""

    key: int
    day: int
    window: DayWindow
    budget_micros: int = 0
    spend_per_minute: list[int] = field(default_factory=list)
    throttle_per_minute: list[float] = field(default_factory=list)
    impressions: int = 0
    clicks: int = 0
    click_cost_micros: int = 0


@dataclass
class MarketRun:
    """One strategy's replay: per campaign-day traces and the expected traffic it saw."""

    start: datetime
    minutes: int
    days: dict[tuple[int, int], CampaignDay]
    opportunities: int = 0
    sold_to_campaigns: int = 0
    #: The strategy's lowest rate while budget remains (None: it has none).
    floor_rate: float | None = None


@dataclass(frozen=True, slots=True)
class _Group:
    campaign: int
    index: int
    billing: BillingEvent
    bid_micros: int
    ctr: float
    usd_per_unit: float
    ecpm: float
    lo: float
    hi: float
    regions: frozenset[str]


def run_market(
    scenario: Scenario,
    book: list[SimCampaign],
    backend: PacingBackend,
    *,
    seed: int,
    progress: Progress | None = None,
    traffic_share: float = 1.0,
) -> MarketRun:
    """Replay the scenario's days under one pacing backend; deterministic for a seed.

    Traffic counts come from a stream seeded by `seed` alone, so every strategy sees the
    same opportunities (common random numbers); auctions use a second stream.
    `traffic_share` below 1 replays that share of the opportunities (a sample, for a
    replay whose figures are scaled back up, `ads.simulation.evaluation.capacity`).
    """
    start, end = horizon(book)
    total = int((end - start) / MINUTE)
    traffic_rng = random.Random(f"traffic:{seed}")
    rng = random.Random(f"auction:{seed}")
    regions = region_traffic(
        scenario.traffic, datetime.combine(scenario.start, datetime.min.time())
    )
    groups = _groups(book, [r.region.name for r in regions])
    delays, comp = scenario.delays, scenario.competition
    tick_every, poll_every = delays.tick_seconds // 60, delays.poll_seconds // 60
    bg_mu = math.log(comp.background_cpm_median_micros)

    def floor() -> float:
        # exp of a normal: the same log-normal as random.lognormvariate, at a third of the cost.
        return max(comp.reserve_cpm_micros, math.exp(bg_mu + comp.background_sigma * rng.gauss()))

    def auctions(ranked: dict[str, list[Candidate]]) -> dict[str, RegionAuctions]:
        return {
            name: RegionAuctions(c, pricing=comp.pricing, reserve=comp.reserve_cpm_micros)
            for name, c in ranked.items()
            if c
        }

    run = MarketRun(start, total, {}, floor_rate=getattr(backend, "floor_rate", None))
    window_start = {
        (c.key, d): int((w.start - start) / MINUTE) for c in book for d, w in enumerate(c.days)
    }
    for c in book:
        for d, w in enumerate(c.days):
            n = int((w.end - w.start) / MINUTE)
            run.days[c.key, d] = CampaignDay(c.key, d, w, 0, [0] * n, [0.0] * n)
    boundaries = {m for m in window_start.values()} | {
        window_start[k] + len(v.spend_per_minute) for k, v in run.days.items()
    }
    pending: dict[int, dict[tuple[int, int, int, int], list[int]]] = defaultdict(dict)
    published: dict[int, float] = {}
    serving: dict[int, float] = {}
    published_caps: dict[int, int] = {}
    serving_caps: dict[int, int] = {}
    bids: dict[int, int] = {}
    published_headroom: dict[int, Headroom] = {}
    serving_headroom: dict[int, Headroom] = {}
    #: Spend the ad server made per campaign-day, by the minute it reaches ingestion.
    unseen: dict[tuple[int, int], dict[int, int]] = defaultdict(lambda: defaultdict(int))
    left: dict[int, int] = {}
    top_charge = _top_charges(groups)
    active: dict[int, int] = {}
    by_region: dict[str, RegionAuctions] = {}
    stale = True
    for m in range(total):
        now = start + m * MINUTE
        arrived = pending.pop(m, None)
        if arrived:
            backend.ingest(now, [_event(k, v) for k, v in arrived.items()])
        if m % tick_every == 0:
            published = backend.tick(now)
            published_caps = backend.bid_caps()
            published_headroom = backend.headrooms()
        if m % poll_every == poll_every - 1 or m == 0:
            stale = (
                stale
                or serving != published
                or serving_caps != published_caps
                or serving_headroom != published_headroom
            )
            serving = dict(published)
            serving_caps = dict(published_caps)
            serving_headroom = dict(published_headroom)
        if m in boundaries:
            days_now = {c.key: c.day_index(now) for c in book}
            active = {key: d for key, d in days_now.items() if d is not None}
            stale = True
        if stale:
            left = _left(serving_headroom, unseen, active, start)
            ranked, bids = _rank(groups, serving, active, _capped_by_headroom(serving_caps, left))
            by_region = auctions(ranked)
            stale = False
        for day_key, cd in run.days.items():
            if active.get(day_key[0]) == day_key[1]:
                cd.throttle_per_minute[m - window_start[day_key]] = serving.get(day_key[0], 0.0)
        for region in regions:
            n = poisson(traffic_rng, region.expected(now) * traffic_share)
            run.opportunities += n
            name = region.region.name
            here = by_region.get(name)
            at = 0 if here is None else here.skip(rng)
            while here is not None and at <= n:
                won = here.auction(rng, floor)
                if won is not None:
                    group = groups[won.key]
                    run.sold_to_campaigns += 1
                    cost = charge_micros(
                        won.price_ecpm,
                        billing=group.billing,
                        bid_micros=bids.get(won.key, group.bid_micros),
                        ctr=group.ctr,
                        usd_per_unit=group.usd_per_unit,
                    )
                    clicked = rng.random() < group.ctr
                    if group.billing is BillingEvent.CLICK and not clicked:
                        cost = 0
                    day = active[group.campaign]
                    cd = run.days[group.campaign, day]
                    if cost and group.campaign in left:
                        left[group.campaign] -= cost
                        if left[group.campaign] < top_charge[group.campaign]:
                            ranked, bids = _rank(
                                groups, serving, active, _capped_by_headroom(serving_caps, left)
                            )
                            by_region = auctions(ranked)
                            here = by_region.get(name)
                    cd.impressions += 1
                    cd.clicks += clicked
                    if group.billing is BillingEvent.CLICK:
                        cd.click_cost_micros += cost
                    cd.spend_per_minute[m - window_start[group.campaign, day]] += cost
                    delay = delays.event_delay_seconds + rng.expovariate(
                        1.0 / max(delays.event_jitter_mean_seconds, 1e-9)
                    )
                    due = m + max(1, math.ceil(rng.random() + delay / 60.0))
                    if cost:
                        unseen[group.campaign, day][due] += cost
                    slot = pending[due].setdefault((group.campaign, group.index, day, m), [0, 0, 0])
                    slot[0] += 1
                    slot[1] += clicked
                    slot[2] += cost
                if here is not None:
                    at += here.skip(rng)
        if progress is not None and (m % 60 == 59 or m == total - 1):
            progress(m + 1, total)
    # Events still on their way at the end arrive after it: billing must see them all.
    for due in sorted(pending):
        backend.ingest(start + due * MINUTE, [_event(k, v) for k, v in pending[due].items()])
    for (key, day), cd in run.days.items():
        cd.budget_micros = backend.day_budget(key, day)
    return run


def _top_charges(groups: list[_Group]) -> dict[int, int]:
    out: dict[int, int] = defaultdict(int)
    for g in groups:
        out[g.campaign] = max(out[g.campaign], single_charge_micros(g.bid_micros, g.billing))
    return out


def _left(
    headrooms: dict[int, Headroom],
    unseen: dict[tuple[int, int], dict[int, int]],
    active: dict[int, int],
    start: datetime,
) -> dict[int, int]:
    """What each campaign may still spend today: its headroom less what it spent since.

    Spend that reached ingestion by the headroom's tick is counted in it already; what
    came later, or is still in transit, is the ad server's own count.
    """
    out = {}
    for key, room in headrooms.items():
        if active.get(key) != room.day:
            continue
        as_of = int((room.as_of - start) / MINUTE)
        spent = unseen.get((key, room.day), {})
        for due in [d for d in spent if d <= as_of]:
            del spent[due]
        out[key] = room.micros - sum(spent.values())
    return out


def _capped_by_headroom(caps: dict[int, int], left: dict[int, int]) -> dict[int, int]:
    """Bid caps lowered to what is left under the hard cap (a campaign absent: uncapped)."""
    out = dict(caps)
    for key, room in left.items():
        out[key] = min(out.get(key, room), room)
    return out


def _event(key: tuple[int, int, int, int], counts: list[int]) -> SpendEvent:
    campaign, group, day, minute = key
    return SpendEvent(campaign, group, day, minute, counts[0], counts[1], counts[2])


def _groups(book: list[SimCampaign], region_names: list[str]) -> list[_Group]:
    out = []
    for campaign in book:
        for index, spec in enumerate(campaign.ad_groups):
            regions = frozenset(spec.regions or region_names)
            ecpm = ecpm_usd_micros(
                billing=spec.billing,
                bid_micros=spec.bid_micros,
                ctr=spec.ctr,
                usd_per_unit=campaign.usd_per_unit,
            )
            lo = spec.audience_start
            out.append(
                _Group(
                    campaign.key, index, spec.billing, spec.bid_micros, spec.ctr,
                    campaign.usd_per_unit, ecpm, lo, lo + spec.audience_share, regions,
                )
            )  # fmt: skip
    return out


def capped_bid_micros(billing: BillingEvent, bid_micros: int, cap_micros: int | None) -> int:
    """The ad group's bid under its campaign's bid cap (the largest single charge).

    CPC: the CPC bid, at most the cap. CPM: the CPM bid, at most 1000 x the cap, so the
    bid per impression (bid / 1000) is at most the cap.
    """
    if cap_micros is None:
        return bid_micros
    if billing is BillingEvent.CLICK:
        return min(bid_micros, cap_micros)
    return min(bid_micros, cap_micros * 1000)


def _rank(
    groups: list[_Group],
    serving: dict[int, float],
    active: dict[int, int],
    caps: dict[int, int] | None = None,
) -> tuple[dict[str, list[Candidate]], dict[int, int]]:
    """Per region, the serving ad groups by eCPM, highest first (ties: lower key first).

    Also the bids lowered by a campaign's bid cap, by group key (others bid in full).
    """
    caps = caps or {}
    ranked: dict[str, list[Candidate]] = defaultdict(list)
    bids: dict[int, int] = {}
    for key, g in enumerate(groups):
        throttle = serving.get(g.campaign, 0.0)
        if throttle <= 0.0 or g.campaign not in active or caps.get(g.campaign, 1) <= 0:
            continue
        ecpm = g.ecpm
        bid = capped_bid_micros(g.billing, g.bid_micros, caps.get(g.campaign))
        if bid < g.bid_micros:
            bids[key] = bid
            ecpm = ecpm_usd_micros(
                billing=g.billing, bid_micros=bid, ctr=g.ctr, usd_per_unit=g.usd_per_unit
            )
        for region in g.regions:
            ranked[region].append(Candidate(key, ecpm, throttle, g.lo, g.hi))
    for candidates in ranked.values():
        candidates.sort(key=lambda c: (-c.ecpm, c.key))
    return ranked, bids
