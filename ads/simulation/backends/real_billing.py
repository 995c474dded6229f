"""Billing at the end of a real-stack run: the ledger the simulated days produce.

The same use cases the billing workers run (`run_aggregation`, `run_day_close`), once,
at a simulated `now` past the last local day's end plus the late-event allowance and the
settle time, so every simulated day is due and closed; then `reconcile` checks events =
hourly aggregates = ledger for every campaign-day. The run's revenue is the ledger's
CHARGE rows (billing caps a LIFETIME campaign by what is left of its flight budget, not
by the day's pacing allowance, so a day's charge may exceed that day's allowance).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select

from ads.auth.principal import CLI_PRINCIPAL
from ads.billing.cycle import run_aggregation, run_day_close
from ads.billing.domain.ledger import EntryKind
from ads.billing.models import LedgerEntry
from ads.billing.reconciliation import reconcile
from ads.pacing.experiments.service import ArmMetrics, arm_metrics
from ads.simulation.backends.real_stack import RealStack, day_index


@dataclass(frozen=True)
class BilledRun:
    """The ledger of a run per (campaign key, day index), in each campaign's currency."""

    charged: dict[tuple[int, int], int] = field(default_factory=dict)
    credited: dict[tuple[int, int], int] = field(default_factory=dict)
    days_closed: int = 0
    rows_reconciled: int = 0
    differences: int = 0
    #: A pacing experiment's arms as the service reports them (GraphQL's `arms`).
    arms: list[ArmMetrics] = field(default_factory=list)
    #: The experiment's salt and allocation, to assign arms to the simulator's metrics.
    assignment: tuple[str, float] | None = None

    @property
    def balanced(self) -> bool:
        return self.differences == 0


def close_books(stack: RealStack, end: datetime) -> BilledRun:
    """Aggregate, close every simulated day, reconcile; return the ledger's sums."""
    session, settings = stack.session, stack.settings
    later = end + timedelta(
        seconds=settings.billing_late_allowance_seconds + settings.billing_settle_seconds + 60
    )
    run_aggregation(session, now=later, settings=settings)
    closed = run_day_close(session, now=later, settings=settings)
    dates = [w.local_date for c in stack.book for w in c.days]
    check = reconcile(session, CLI_PRINCIPAL, date_from=min(dates), date_to=max(dates))
    keys = {cid: key for key, cid in stack.campaign_ids.items()}
    sums: dict[EntryKind, dict[tuple[int, int], int]] = defaultdict(dict)
    for cid, day, kind, amount in session.execute(
        select(LedgerEntry.campaign_id, LedgerEntry.day, LedgerEntry.kind,
               func.sum(LedgerEntry.amount_micros))
        .group_by(LedgerEntry.campaign_id, LedgerEntry.day, LedgerEntry.kind)
    ):  # fmt: skip
        key = None if cid is None else keys.get(cid)
        index = None if key is None else day_index(stack.book[key], day)
        if key is not None and index is not None:
            sums[EntryKind(kind)][key, index] = int(amount)
    arms, assignment = [], None
    if stack.experiment is not None:
        arms = arm_metrics(session, CLI_PRINCIPAL, stack.experiment.id)
        assignment = (stack.experiment.salt, stack.experiment.allocation)
    session.rollback()
    return BilledRun(
        arms=arms,
        assignment=assignment,
        charged=sums[EntryKind.CHARGE],
        credited=sums[EntryKind.OVERDELIVERY_CREDIT],
        days_closed=sum(len(r.closed) for r in closed),
        rows_reconciled=len(check.rows),
        differences=len(check.differences),
    )
