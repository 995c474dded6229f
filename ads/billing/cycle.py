"""The billing cycle the workers run: aggregate, close due days, refresh the invoices,
and retire raw events once their hours are sealed."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from ads.billing.aggregation import AggregationRun, aggregate
from ads.billing.day_close import CloseResult, close_due_days
from ads.billing.invoices import refresh_invoices
from ads.billing.retention import RetentionRun, retain
from ads.config import Settings

#: Invoices of months whose ledger changed recently are refreshed; older months change
#: only through adjustments, which refresh their invoice themselves.
INVOICE_HORIZON = timedelta(days=62)


def run_aggregation(session: Session, *, now: datetime, settings: Settings) -> AggregationRun:
    return aggregate(session, now=now, settle_seconds=settings.billing_settle_seconds)


def run_day_close(session: Session, *, now: datetime, settings: Settings) -> list[CloseResult]:
    """Close due days, then bring every recent month's invoice up to date (new versions)."""
    allowance = settings.billing_late_allowance_seconds
    results = close_due_days(
        session,
        allowance_seconds=allowance,
        reclose_window_days=settings.billing_reclose_window_days,
    )
    refresh_invoices(
        session, now=now, allowance_seconds=allowance, since=(now - INVOICE_HORIZON).date()
    )
    return results


def run_retention(session: Session, *, now: datetime, settings: Settings) -> RetentionRun:
    return retain(session, now=now, retention_days=settings.event_retention_days)
