"""The billing cycle the workers run, and operators run by hand: aggregate, close due
days, refresh the invoices, retire raw events once their hours are sealed — each as of a
given instant (the scheduler's slot, or the operator's `--as-of`), each idempotent."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from ads.billing.aggregation import AggregationRun, aggregate, complete_through
from ads.billing.day_close import CloseResult, close_due_days
from ads.billing.invoices import InvoiceRefresh, refresh_invoices
from ads.billing.retention import RetentionRun, retain
from ads.config import Settings

#: Invoices of months whose ledger changed recently are refreshed; older months change
#: only through adjustments, which refresh their invoice themselves.
INVOICE_HORIZON = timedelta(days=62)


def run_aggregation(session: Session, *, now: datetime, settings: Settings) -> AggregationRun:
    return aggregate(session, now=now, settle_seconds=settings.billing_settle_seconds)


def close_days(
    session: Session,
    *,
    now: datetime,
    settings: Settings,
    advertiser_ids: Collection[int] | None = None,
) -> list[CloseResult]:
    """Close the days due as of `now` (their allowance over and their events aggregated)."""
    through = complete_through(session, now=now, settle_seconds=settings.billing_settle_seconds)
    return close_due_days(
        session,
        allowance_seconds=settings.billing_late_allowance_seconds,
        reclose_window_days=settings.billing_reclose_window_days,
        through=through,
        advertiser_ids=advertiser_ids,
    )


def refresh_month_invoices(
    session: Session,
    *,
    now: datetime,
    settings: Settings,
    advertiser_ids: Collection[int] | None = None,
    months: Collection[date] | None = None,
) -> InvoiceRefresh:
    """Bring invoices up to date as of `now`: the given months, or every recent one."""
    return refresh_invoices(
        session,
        now=now,
        allowance_seconds=settings.billing_late_allowance_seconds,
        since=None if months is not None else (now - INVOICE_HORIZON).date(),
        advertiser_ids=advertiser_ids,
        months=months,
    )


def run_day_close(session: Session, *, now: datetime, settings: Settings) -> list[CloseResult]:
    """Close due days, then bring every recent month's invoice up to date (new versions)."""
    results = close_days(session, now=now, settings=settings)
    refresh_month_invoices(session, now=now, settings=settings)
    return results


def run_retention(session: Session, *, now: datetime, settings: Settings) -> RetentionRun:
    return retain(session, now=now, retention_days=settings.event_retention_days)
