"""The pacing controller: each tick, turn spend against the target curve into a throttle rate.

Design, after what production systems publish:

* Throttling with a pass-through rate, the probability that a campaign enters an
  auction, adjusted every interval against a forecast traffic curve: LinkedIn (Agarwal
  et al., "Budget pacing for targeted online advertisements at LinkedIn", KDD 2014).
  Throttling needs nothing from the auction or the bidder, only a coin per request.
* A per-campaign target spend curve and a pacing signal updated once a minute from both
  the spend gap and the spend-slope gap: Yahoo's Mystique (WWW 2024). Here the slope
  term is a feedforward, the rate that would make the expected spend slope equal the
  curve's slope, and the spend gap is closed by a fraction `gain` per interval.
* Proportional feedback with a dead band ("Feedback Control for Small Budget Pacing",
  arXiv:2509.25429, 2025): errors inside the band are not corrected, so the lumpy spend
  of small budgets, where one auction is a visible share of the day, doesn't make the
  rate chatter.

Spend events arrive minutes late, so the controller never divides by the current rate
nor compares the curve with stale spend alone: the traffic value per unit throttle is
estimated from reported spend over the rate that was in force when it was bought, and
spend bought but not reported yet (the refresh horizon's worth) is added to what was
reported before comparing with the curve, a Smith-predictor style dead-time correction.

The plan works on expected flow, which is fine for budgets worth thousands of charges
but not for small ones, where one click can be 2-30% of the day. The overdelivery guard
(`ads.pacing.domain.guard`) therefore bounds the probability that unseen spend (in
flight and until the next decision takes over, in whole charges, Poisson) crosses the
hard cap, at `ControllerConfig.guard_risk` per decision, on the larger of the fast and a
slow traffic estimate; until the spend reported is worth one largest charge, on the
most traffic the charges not seen leave possible (`_unseen_charge_bound`), so a cold
start cannot buy blind, through the reporting lag, more charges than the headroom holds.
Near the cap it may also publish a budget-aware bid cap (`Decision.max_charge_micros`,
applied by the ad server to the campaign's bids, so a second-price charge never exceeds
it): smaller charges make more of them fit and the count concentrate, so a campaign
whose bid exceeds the headroom keeps serving at a lower bid instead of stopping a click
short of its budget. Where the ad server cannot apply a bid cap (`TickInput.bid_capping`
False: ad groups' own caps) the campaign stops as soon as one charge could cross the cap;
with bid capping, when no throttle at any bid cap down to half a charge passes the guard.

Where the ad server also holds the decision's headroom (`TickInput.cap_held`: the
hard cap less the spend seen, against which it counts its own spend since, never bidding
above what is left), unseen spend can reach the hard cap but never cross it. The guard
then bounds the chance of *reaching* it, at the looser `ControllerConfig.held_risk`:
reaching it costs at most the allowance of free delivery and the rest of the day, not a
broken cap, while each click the tighter risk refuses near the end is budget left
unspent.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from ads.campaigns.budget_rules import BudgetRule
from ads.campaigns.rules import PacingMode
from ads.pacing.domain.curve import target_fraction, target_spend
from ads.pacing.domain.guard import GuardInput, guard
from ads.pacing.domain.profile import DEFAULT_DIURNAL, TrafficProfile
from ads.pacing.domain.state import ControllerState

__all__ = [
    "ControllerConfig",
    "ControllerState",
    "Decision",
    "PacingController",
    "PacingStatus",
    "TickInput",
    "effective_throttle",
]


class PacingStatus(StrEnum):
    """Why a campaign (or ad group) delivers the way it does right now.

    NOT_STARTED: before its schedule start; throttle 0.
    PACING: serving at throttle 1: it takes all the traffic it is eligible for and the
        budget is not holding it back (if it is behind its curve, traffic is the limit).
    LIMITED_BY_BUDGET: serving at a throttle below 1: the budget is what limits
        delivery, whether the controller is pacing it to the curve or the overdelivery
        guard is slowing it before the cap.
    EXHAUSTED: today's budget is spent (or is about to be by spend already in flight,
        or no bid cap the guard may publish fits what is left under the hard cap);
        throttle 0 until the next day or a budget increase.
    ENDED: past its schedule end; throttle 0.
    PAUSED: not active (paused or archived); throttle 0. Takes precedence over the
        schedule, as it is what the advertiser did.
    NOT_YET_COMPUTED: never decided by a tick (published for a campaign that can
        deliver before its first tick, never chosen by the controller); throttle 0.
    """

    NOT_STARTED = "NOT_STARTED"
    PACING = "PACING"
    LIMITED_BY_BUDGET = "LIMITED_BY_BUDGET"
    EXHAUSTED = "EXHAUSTED"
    ENDED = "ENDED"
    PAUSED = "PAUSED"
    NOT_YET_COMPUTED = "NOT_YET_COMPUTED"


@dataclass(frozen=True, kw_only=True)
class ControllerConfig:
    """Controller tuning, one per deployment (or per campaign class).

    tick_seconds: interval between ticks, also taken as the ad server's polling interval.
    initial_rate: STANDARD rate of a campaign's very first tick; until its spend shows
        its traffic, the rate then doubles every tick (from the floor to 1 in 20 ticks).
    min_rate: STANDARD floor while budget remains, so the traffic estimate stays alive.
        10⁻⁶ by default, chosen to be below what any campaign needs: a $5 day against
        ten billion opportunities a day needs about 10⁻⁶, and the rate published to
        the ad server keeps its precision down to there (`ads.pacing.domain.precision`).
        A campaign reaches it only when it is far ahead of its curve, never as the
        place where it rests: a floor above a campaign's rate makes it overspend and
        stop, over and over.
    gain: fraction of the spend gap to the curve closed per interval when behind; when
        ahead, the same gap divides the rate by e^(gain x gap / the curve's spend over
        the interval) instead (see `_plan`), so the rate moves by factors, at the
        same relative speed whatever its magnitude, and never to the floor at once.
    slope_gain: fraction of the slope gap closed per interval (1: jump to the rate whose
        expected spend slope equals the curve's; lower values move from the last rate).
    dead_band_fraction, dead_band_min_micros: gaps to the curve within max(fraction x
        budget still to be paced today, min micros) are left alone (the hysteresis band);
        raise the minimum for small budgets whose single auctions are large.
    smoothing: share of the traffic estimate's evidence forgotten per tick, so that it
        follows the traffic over the day at any rate, but never below `evidence_charges`.
    slow_smoothing: the same for the slow estimate the overdelivery guard also uses.
    evidence_charges: the least evidence, in charges, either estimate keeps: it forgets
        no faster than new spend replaces it, so a campaign buying a few charges an
        hour (a tiny rate, or a small budget of large clicks) keeps a stable estimate
        instead of one that collapses between two charges and swings the rate to 1.
        Counted in largest charges, which second-price clicks rarely reach (a $0.50 bid
        is often charged $0.10-0.20): 10 of them already hold dozens of real charges,
        while 30 held more than a third of a $40 day, so an estimate misled by the cold start's
        probe took most of the morning to correct and the day ended short.
    lump_share: a lead on the curve of up to one charge (the largest) is not corrected,
        as whole charges make spend lumpy; at most this share of what is still to be
        paced today, so near the day's end a large click's lead is corrected again
        (with 0.25, a lead left alone at 90% of the day is at most 2.5% of the budget),
        and never once less than one charge of the budget is left (the last charge
        waits for the curve: a budget of four clicks otherwise bought its last at 89.9%
        of the day).
    max_step: the most the rate may rise in one tick, as a factor of the highest rate
        published over the last refresh horizon (none when all of those were 0).
    guard_risk: the chance per decision the guard accepts that unseen spend (in flight
        and until the next decision takes over) crosses the hard cap (`ads.pacing.domain.guard`).
    held_risk: the same chance when the ad server holds the headroom
        (`TickInput.cap_held`), where unseen spend stops at the hard cap instead.
    """

    tick_seconds: float = 60.0
    initial_rate: float = 1e-6
    min_rate: float = 1e-6
    gain: float = 0.25
    slope_gain: float = 1.0
    dead_band_fraction: float = 0.005
    dead_band_min_micros: int = 0
    smoothing: float = 0.2
    slow_smoothing: float = 0.02
    evidence_charges: float = 10.0
    lump_share: float = 0.25
    max_step: float = 32.0
    guard_risk: float = 0.002
    held_risk: float = 0.1

    def __post_init__(self) -> None:
        if not self.tick_seconds > 0:
            raise ValueError("tick_seconds must be positive")
        if not 0.0 <= self.min_rate <= self.initial_rate <= 1.0:
            raise ValueError("need 0 <= min_rate <= initial_rate <= 1")
        if not 0.0 < self.gain <= 1.0 or not 0.0 <= self.slope_gain <= 1.0:
            raise ValueError("gains lie in (0, 1] (slope_gain in [0, 1])")
        if not 0.0 <= self.dead_band_fraction < 1.0 or self.dead_band_min_micros < 0:
            raise ValueError("the dead band is non-negative")
        if not 0.0 < self.smoothing <= 1.0 or not 0.0 < self.slow_smoothing <= 1.0:
            raise ValueError("smoothing lies in (0, 1]")
        if not 0.0 <= self.evidence_charges < math.inf:
            raise ValueError("evidence_charges is finite and non-negative")
        if not 0.0 <= self.lump_share <= 1.0:
            raise ValueError("lump_share lies in [0, 1]")
        if not 1.0 < self.max_step < math.inf:
            raise ValueError("max_step is a finite factor above 1")
        if not 0.0 < self.guard_risk < 1.0 or not 0.0 < self.held_risk < 1.0:
            raise ValueError("guard_risk and held_risk lie in (0, 1)")


DEFAULT_CONFIG = ControllerConfig()


@dataclass(frozen=True, kw_only=True)
class TickInput:
    """Everything one tick needs about one campaign (or one capped ad group).

    `spent_today_micros` and `spend_since_last_tick_micros` are what has been reported
    so far (late events included when they arrive). `refresh_horizon_seconds` is the
    event delay plus the ad server's polling interval: how long spend keeps flowing at a
    rate before the controller can see and correct it. `day_budget_micros` is the daily
    budget, or today's `lifetime_daily_allowance` for a LIFETIME budget.
    `max_charge_micros` is the largest single charge the campaign (or ad group) can incur:
    its highest CPC bid, or its highest CPM bid / 1000 (see `budget.single_charge_micros`);
    0 means unknown, and only the expected-flow guard applies (no bid cap either).
    `bid_capping` says whether the ad server applies the decision's bid cap: when it does,
    a campaign whose bid exceeds the headroom keeps serving with a lower bid cap; when it
    doesn't, the campaign stops as soon as one charge could cross the cap.
    `cap_held` says whether the ad server holds the decision's headroom (the hard
    cap less the spend reported, counting its own spend since against it): then unseen
    spend stops at the hard cap, and the guard runs at `ControllerConfig.held_risk`.
    `poll_seconds` is the ad server's polling period (None: the tick interval). The
    overdelivery guard counts, as unseen, what was bought over the last refresh horizon
    at the rates in force and what the new rate buys until the next decision takes over
    at the ad server: a tick plus the mean wait for a poll, half a poll (with an unknown
    largest charge, a whole refresh horizon instead: that guard keeps no Poisson margin).
    """

    now: datetime
    day_start: datetime
    day_end: datetime
    tz: ZoneInfo
    day_budget_micros: int
    spent_today_micros: int
    spend_since_last_tick_micros: int = 0
    mode: PacingMode = PacingMode.STANDARD
    profile: TrafficProfile = DEFAULT_DIURNAL
    rule: BudgetRule = field(default_factory=BudgetRule)
    refresh_horizon_seconds: float = 240.0
    active: bool = True
    started: bool = True
    ended: bool = False
    max_charge_micros: int = 0
    bid_capping: bool = True
    cap_held: bool = False
    poll_seconds: float | None = None

    def __post_init__(self) -> None:
        if any(t.tzinfo is None for t in (self.now, self.day_start, self.day_end)):
            raise ValueError("pacing times must be timezone-aware")
        if self.day_end <= self.day_start:
            raise ValueError("a day ends after it starts")
        if self.day_budget_micros < 0:
            raise ValueError("a budget is non-negative")
        if self.max_charge_micros < 0:
            raise ValueError("max_charge_micros is non-negative")
        if not math.isfinite(self.refresh_horizon_seconds) or self.refresh_horizon_seconds < 0:
            raise ValueError("refresh_horizon_seconds is finite and non-negative")
        if self.poll_seconds is not None and not 0 <= self.poll_seconds < math.inf:
            raise ValueError("poll_seconds is finite and non-negative")


@dataclass(frozen=True)
class Decision:
    """A tick's outcome: the rate to publish, why, and the state to store for next time.

    `target_spend_micros` is where the STANDARD curve is now; `remaining_micros` is the
    budget left (never negative; overdelivery shows as 0). `max_charge_micros` is the
    budget-aware bid cap: the largest single charge the campaign may incur until the next
    refresh (the ad server caps its bids at it), or None when its bids are not capped
    (its own largest charge fits, the charge is unknown, it does not serve, or the ad
    server cannot apply a cap).
    """

    throttle: float
    status: PacingStatus
    target_spend_micros: int
    remaining_micros: int
    state: ControllerState
    max_charge_micros: int | None = None


def effective_throttle(campaign_throttle: float, ad_group_throttle: float | None = None) -> float:
    """Rate for an ad group: both budgets must allow the auction, so the lower rate wins.

    None means the ad group has no cap of its own. Store the ad group's controller state
    with `state.with_applied_throttle(...)` of this value so its traffic estimate is per
    unit of the rate really in force.
    """
    if ad_group_throttle is None:
        return campaign_throttle
    return min(campaign_throttle, ad_group_throttle)


class PacingController:
    """Computes each tick's throttle for one campaign or ad group; stateless itself.

    The caller stores `Decision.state` and passes it back on the next tick (None the
    first time). Ticking twice at the same `now` re-decides without learning twice.
    """

    def __init__(self, config: ControllerConfig = DEFAULT_CONFIG) -> None:
        self.config = config

    def tick(self, state: ControllerState | None, inp: TickInput) -> Decision:
        """Learn from the spend reported since the last tick, then decide the next rate."""
        cfg = self.config
        prev = state if state is not None else ControllerState(throttle=cfg.initial_rate)
        elapsed = None if prev.last_tick is None else (inp.now - prev.last_tick).total_seconds()
        repeat = elapsed is not None and elapsed <= 0
        history = prev.recent_throttles[:-1] if repeat else prev.recent_throttles
        learned = prev if repeat or elapsed is None else self._learn(prev, inp, elapsed)
        rate = learned.rate_estimate

        budget = inp.day_budget_micros
        spent = inp.spent_today_micros
        target_now = target_spend(budget, self._fraction(inp, inp.now))
        throttle, status = 0.0, self._gate(inp)
        bid_cap: int | None = None
        if status is None:
            unseen = self._unseen_exposure(history, inp)
            in_flight = 0.0 if rate is None else rate * unseen
            poll = cfg.tick_seconds if inp.poll_seconds is None else inp.poll_seconds
            last = history[-1] if history else prev.throttle
            risk = cfg.held_risk if inp.cap_held else cfg.guard_risk
            bound = _unseen_charge_bound(learned, inp.max_charge_micros, risk)
            planned = self._plan(history, last, rate, in_flight, inp)
            guard_rate = learned.guard_rate_estimate
            if bound is not None:
                guard_rate = bound if guard_rate is None else max(guard_rate, bound)
            guarded = guard(
                GuardInput(
                    planned=planned,
                    headroom=inp.rule.headroom_micros(budget, spent),
                    in_flight=0.0 if guard_rate is None else guard_rate * unseen,
                    rate=guard_rate,
                    ahead_seconds=cfg.tick_seconds + poll / 2,
                    horizon_seconds=inp.refresh_horizon_seconds,
                    max_charge=inp.max_charge_micros,
                    bid_capping=inp.bid_capping,
                    risk=risk,
                )
            )
            throttle, bid_cap = guarded.throttle, guarded.bid_cap
            if throttle <= 0:
                throttle, status, bid_cap = 0.0, PacingStatus.EXHAUSTED, None
            elif throttle < 1:
                status = PacingStatus.LIMITED_BY_BUDGET
            else:
                throttle, status = 1.0, PacingStatus.PACING

        keep = math.ceil(inp.refresh_horizon_seconds / cfg.tick_seconds) + 2
        # Built directly: dataclasses.replace cost a tenth of the controller's time.
        new_state = ControllerState(
            throttle=throttle,
            spend_sum_micros=learned.spend_sum_micros,
            exposure_sum_seconds=learned.exposure_sum_seconds,
            last_tick=inp.now,
            recent_throttles=(*history, throttle)[-keep:],
            slow_spend_sum_micros=learned.slow_spend_sum_micros,
            slow_exposure_sum_seconds=learned.slow_exposure_sum_seconds,
        )
        return Decision(throttle, status, target_now, max(0, budget - spent), new_state, bid_cap)

    def _gate(self, inp: TickInput) -> PacingStatus | None:
        """Why the campaign must not serve at all (throttle 0), or None if it may."""
        if not inp.active:
            return PacingStatus.PAUSED
        if inp.ended:
            return PacingStatus.ENDED
        if not inp.started:
            return PacingStatus.NOT_STARTED
        if inp.day_budget_micros <= 0 or inp.spent_today_micros >= inp.day_budget_micros:
            return PacingStatus.EXHAUSTED
        return None

    def _learn(self, prev: ControllerState, inp: TickInput, elapsed: float) -> ControllerState:
        """Fold the spend reported since the last tick into the traffic estimate.

        Reported spend was bought about one refresh horizon (plus half a tick) earlier,
        so it is divided by the rate in force then, not by the current one. Old evidence
        is forgotten with time, `smoothing` per tick, so the estimate follows the day's
        traffic at a rate of 10⁻⁵ as it does at 1; but never faster than new spend
        replaces it (`evidence_charges`): at a tiny rate a tick says little about
        traffic and must not wash out what earlier ticks showed (else the estimate
        collapses towards 0 and the rate swings to 1).
        """
        cfg = self.config
        ticks_ago = inp.refresh_horizon_seconds / cfg.tick_seconds + 0.5
        bought_at = _throttle_ago(prev.recent_throttles, ticks_ago)
        if bought_at is None or bought_at <= 0:
            return prev
        spend = max(0, inp.spend_since_last_tick_micros)  # corrections don't unlearn traffic
        exposure = bought_at * elapsed
        ticks = elapsed / cfg.tick_seconds
        # Evidence in charges: the largest one when known, else a thousandth of the budget.
        least = cfg.evidence_charges * (inp.max_charge_micros or inp.day_budget_micros / 1000)
        keep = _kept(prev.spend_sum_micros, spend, (1 - cfg.smoothing) ** ticks, least)
        slow = _kept(prev.slow_spend_sum_micros, spend, (1 - cfg.slow_smoothing) ** ticks, least)
        return ControllerState(
            throttle=prev.throttle,
            spend_sum_micros=keep * prev.spend_sum_micros + spend,
            exposure_sum_seconds=keep * prev.exposure_sum_seconds + exposure,
            last_tick=prev.last_tick,
            recent_throttles=prev.recent_throttles,
            slow_spend_sum_micros=slow * prev.slow_spend_sum_micros + spend,
            slow_exposure_sum_seconds=slow * prev.slow_exposure_sum_seconds + exposure,
        )

    def _unseen_exposure(self, history: tuple[float, ...], inp: TickInput) -> float:
        """Throttle-seconds whose spend is not reported yet (x a rate: spend in flight).

        One refresh horizon of the recently published rates (no earlier than local
        midnight plus one poll: older spend belongs to yesterday). It errs high by about
        one poll's worth, i.e. towards underdelivery.
        """
        if not history:
            return 0.0
        tick = self.config.tick_seconds
        poll = min(tick, inp.refresh_horizon_seconds)
        since_midnight = max(0.0, (inp.now - inp.day_start).total_seconds())
        window = min(inp.refresh_horizon_seconds, since_midnight + poll)
        throttle_seconds = 0.0
        for published in reversed(history):
            if window <= 0:
                break
            step = min(tick, window)
            throttle_seconds += published * step
            window -= step
        return throttle_seconds

    def _plan(
        self,
        history: tuple[float, ...],
        last: float,
        rate: float | None,
        in_flight: float,
        inp: TickInput,
    ) -> float:
        """The rate the mode asks for, before the overdelivery guard.

        STANDARD: the rate whose expected spend follows the curve's slope over the next
        interval (the feedforward), corrected by the gap to the curve outside the dead
        band. Behind, the correction adds `gain` x the gap to the interval's spend, as
        a proportional controller does. Ahead, it multiplies the rate by
        e^(gain x gap / the interval's spend): the same first-order step for a small
        gap, but in log space, so a rate of 10⁻⁵ falls by factors as one of 0.5 does,
        instead of to the floor as soon as the gap exceeds the slope, which is what
        holds a campaign at the floor while it overspends there. Ahead by less than one
        charge (`ControllerConfig.lump_share`) is left alone: spend arrives in whole
        charges, and a campaign whose curve asks for less than a click a minute (at
        night, or a small budget of large clicks) is a whole click ahead after each
        click; corrected, each click sent its rate to the floor for most of an hour.
        Once less than one charge of the budget is left, the lead is corrected again:
        the next charge ends the day's budget and waits until the curve reaches it.
        """
        cfg = self.config
        if inp.mode is PacingMode.ACCELERATED:
            return 1.0
        if rate is None:
            # No traffic seen yet: the first tick at the initial rate, then probe up by
            # doubling (a jump could buy a refresh horizon of unknown traffic at once).
            return cfg.initial_rate if not history else _probe(last, cfg)
        # The new rate takes effect at the next poll and holds for one tick.
        tick = timedelta(seconds=cfg.tick_seconds)
        begin = inp.now + timedelta(seconds=min(cfg.tick_seconds, inp.refresh_horizon_seconds))
        budget = inp.day_budget_micros
        target_begin = target_spend(budget, self._fraction(inp, begin))
        target_end = target_spend(budget, self._fraction(inp, begin + tick))
        # The band is a share of what is still to be paced, so it closes as the day ends
        # and the day lands on its budget rather than anywhere within the band.
        band = max(
            (budget - target_begin) * cfg.dead_band_fraction, float(cfg.dead_band_min_micros)
        )
        seen = inp.spent_today_micros + in_flight  # spent, reported or not
        gap = _dead_zone(target_begin - seen, band)
        per_unit = rate * cfg.tick_seconds  # expected spend over one tick at throttle 1
        slope_spend = cfg.slope_gain * (target_end - target_begin)
        slope_spend += (1 - cfg.slope_gain) * per_unit * last
        # Ahead by less than one charge is the lumpiness of whole charges (a click puts a
        # campaign whose curve asks for less than a click a minute a click ahead), not
        # overspending; the allowance shrinks with what is left to pace, so the day still
        # lands on its budget.
        lump = min(float(inp.max_charge_micros), cfg.lump_share * (budget - target_begin))
        if budget - seen < inp.max_charge_micros:
            # What is left is the last charge (the bid cap holds it to the headroom): no
            # lumps left to tolerate; it waits until the curve reaches what is spent,
            # rather than ending a budget of a few clicks hours early.
            lump = 0.0
        if gap < 0:
            gap = min(0.0, gap + lump)
        wanted = _corrected(slope_spend, cfg.gain * gap)
        if per_unit <= 0:
            # Exposure but no spend yet: nothing to scale by, so keep probing upwards
            # (as fast as the overdelivery guard lets the charges not seen allow).
            return _probe(last, cfg) if wanted > 0 else cfg.min_rate
        rate_asked = min(1.0, max(cfg.min_rate, wanted / per_unit))
        # Rising by at most `max_step` over the rates still buying unseen spend: the
        # traffic estimate divides that spend by those rates, which a jump of orders of
        # magnitude between two ticks would make meaningless.
        peak = max(history[-self._window(inp) :], default=0.0)
        return rate_asked if peak <= 0 else min(rate_asked, cfg.max_step * peak)

    def _window(self, inp: TickInput) -> int:
        """Ticks from a rate's publication to the last of its spend being reported."""
        return math.ceil(inp.refresh_horizon_seconds / self.config.tick_seconds) + 1

    @staticmethod
    def _fraction(inp: TickInput, moment: datetime) -> float:
        return target_fraction(inp.profile, inp.day_start, inp.day_end, inp.tz, moment)


def _unseen_charge_bound(state: ControllerState, charge: int, risk: float) -> float | None:
    """Until a campaign's reported spend is worth one largest charge: the most traffic
    (spend per second at throttle 1) its exposure and the spend seen leave possible; None
    once it is (the estimates take over), without exposure, or with an unknown largest
    charge.

    Its estimate is zero until a first charge, which let the cold start's probe double its
    rate every tick, blind, through the refresh horizon each charge takes to be reported: a
    budget of a few clicks was spent within minutes. No charge over an exposure E
    (throttle-seconds) rules out, at the guard's own `risk`, a charge rate above
    ln(1/risk) / E (P(no charge) = e^-(λE)); counted in largest charges, the guard plans
    on that bound, so the probe buys blind no more than the headroom's charges allow.
    Small first charges do not end it: a campaign whose impressions are worth a
    two-thousandth of its clicks saw a few of them first, and their estimate, tiny
    against the clicks being bought unseen, let the rate rise 32-fold a tick until half
    the day was spent in its first minutes. So the bound holds, with the spend seen added
    to the ln(1/risk) largest charges not seen, until that spend is worth one largest
    charge. The plan keeps doubling: holding it to the bound as well stalled the cold
    start of sparse campaigns for hours, where the refresh horizon is long against the
    tick.
    """
    seen = max(state.spend_sum_micros, state.slow_spend_sum_micros)
    if charge <= 0 or seen >= charge:
        return None
    exposure = max(state.exposure_sum_seconds, state.slow_exposure_sum_seconds)
    if exposure <= 0:
        return None
    bound = (seen + charge * -math.log(risk)) / exposure
    return bound if math.isfinite(bound) else None


def _probe(last: float, cfg: ControllerConfig) -> float:
    """Twice the last rate (at least the initial one), at most 1."""
    return min(1.0, 2 * max(last, cfg.initial_rate))


def _corrected(slope_spend: float, correction: float) -> float:
    """The interval's spend with the gap's correction: added when behind, in log space
    when ahead (continuous and increasing in the correction, with slope 1 at 0)."""
    if correction >= 0 or slope_spend <= 0:
        return slope_spend + correction
    return slope_spend * math.exp(correction / slope_spend)


def _kept(held: float, new: float, forget: float, least: float) -> float:
    """The share of `held` evidence to keep: `forget`, unless that leaves less than
    `least` with the `new` evidence added; then as much as makes up `least` (all of it
    at most)."""
    if held <= 0 or held * forget + new >= least:
        return forget
    return min(1.0, (least - new) / held)


def _dead_zone(gap: float, band: float) -> float:
    """The gap minus the band, towards zero: continuous and monotone, zero inside."""
    if gap > band:
        return gap - band
    if gap < -band:
        return gap + band
    return 0.0


def _throttle_ago(recent: tuple[float, ...], ticks_ago: float) -> float | None:
    """Rate published `ticks_ago` ticks before now (1 = last tick), interpolated in log
    space: rates move by factors, and between 10⁻⁵ and 10⁻³ the arithmetic mean would be
    the larger one, a hundred times what bought the spend (0 when either is 0)."""
    low = max(1, math.floor(ticks_ago))
    if low > len(recent):
        return None
    if low + 1 > len(recent):
        return recent[-low]
    weight = min(1.0, max(0.0, ticks_ago - low))
    newer, older = recent[-low], recent[-low - 1]
    if weight == 0.0 or newer == older:
        return newer
    if newer <= 0.0 or older <= 0.0:
        return 0.0
    return newer ** (1 - weight) * older**weight
