"""Retention of raw delivery events: seal the final hours, then drop expired days whole.

A UTC day of raw events is dropped (its partition on PostgreSQL, its rows on SQLite) when
both hold: it is past the retention window (`ADS_EVENT_RETENTION_DAYS`, and never before
ingestion stops accepting retries of its events), and every hour of it is sealed (its
aggregates are final and were found equal to its raw events). Days go oldest first; the
"raw_events" watermark records the instant before which raw events are gone, which
reconciliation reads to know what it can still compare with raw events. Billing, invoices
and exports read the aggregates and the ledger only, so they carry on unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ads.billing.aggregation import ensure_watermark, read_watermark
from ads.billing.models import BillingWatermark
from ads.billing.seals import SealRun, seal_final_hours, sealed_until
from ads.ingestion.partition_rules import day_bounds, expired
from ads.ingestion.partitions import drop_day, stored_days

RAW_EVENTS = "raw_events"


@dataclass(frozen=True)
class RetentionRun:
    seals: SealRun
    dropped: tuple[date, ...]
    #: Raw events before this instant are gone.
    raw_events_from: datetime


def raw_events_from(session: Session) -> datetime:
    """The instant before which raw events have been dropped (the epoch: none has)."""
    return read_watermark(session, RAW_EVENTS)


def retain(session: Session, *, now: datetime, retention_days: int) -> RetentionRun:
    """Seal what is final, then drop every expired day whose hours are all sealed."""
    seals = seal_final_hours(session)
    ensure_watermark(session, RAW_EVENTS)
    dropped = []
    for day in stored_days(session):
        end = day_bounds(day)[1]
        if not expired(day, now=now, retention_days=retention_days) or end > sealed_until(session):
            break
        mark = session.scalars(
            select(BillingWatermark).where(BillingWatermark.name == RAW_EVENTS).with_for_update()
        ).one()
        drop_day(session, day)
        mark.value = max(mark.value, end)
        session.commit()
        dropped.append(day)
    session.rollback()
    return RetentionRun(seals, tuple(dropped), raw_events_from(session))
