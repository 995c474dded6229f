"""Sealed hours: when an hour's aggregates are final, and the checksum that seals them.

An hour is final once no event can join it any more: ingestion refuses events older than
`MAX_EVENT_AGE`, so every event of an hour has arrived by the hour's end plus that age,
and once the aggregation watermark is past that instant every one of them is aggregated.
A final hour is sealed per advertiser and local day, with the SHA-256 of its aggregate
rows in a canonical text form: the same rows give the same checksum on either database,
and any later change to them (a lost, altered or added row) changes it. Raw events may be
dropped only once their hours are sealed; from then on the seals stand in for them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import date, datetime
from typing import NamedTuple

from ads.billing.domain.calendar import hour_floor
from ads.ingestion.rules import MAX_EVENT_AGE


class SealedRow(NamedTuple):
    """One ad group's delivery in the sealed hour and day, as the checksum reads it."""

    ad_group_id: int
    campaign_id: int
    impressions: int
    clicks: int
    spend_micros: int
    events: int


class Seal(NamedTuple):
    """What is stored for one advertiser, local day and UTC hour."""

    advertiser_id: int
    day: date
    hour: datetime
    rows: int
    events: int
    spend_micros: int
    checksum: str


def final_before(aggregated_until: datetime) -> datetime:
    """Hours that end at or before this instant are final (given the aggregation
    watermark): no event of theirs can still arrive."""
    return hour_floor(aggregated_until - MAX_EVENT_AGE)


def checksum(rows: Iterable[SealedRow]) -> str:
    """SHA-256 of the rows as sorted lines of decimal integers."""
    text = "".join(",".join(map(str, row)) + "\n" for row in sorted(rows))
    return hashlib.sha256(text.encode()).hexdigest()


def seal(advertiser_id: int, day: date, hour: datetime, rows: list[SealedRow]) -> Seal:
    return Seal(
        advertiser_id,
        day,
        hour,
        len(rows),
        sum(r.events for r in rows),
        sum(r.spend_micros for r in rows),
        checksum(rows),
    )
