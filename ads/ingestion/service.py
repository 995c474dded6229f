"""Recording delivery events exactly once and keeping the spend counters in step.

Exactly once: the counters are incremented (`x = x + excluded.x`) by exactly the events
that this transaction inserted, in the same transaction. Which ones those are is known
for sure: either a plain INSERT of the whole batch succeeded (every id was new), or the
batch goes through `INSERT … ON CONFLICT (event_id) DO NOTHING RETURNING event_id` and a
returned id is one this transaction inserted (PostgreSQL tries the former first; see
`ads.ingestion.bulk`). So every event is added to the counters by the one transaction
that inserted it, and by no other: a retried batch inserts nothing and adds nothing; two
concurrent batches sharing an id serialize on the unique index (the second waits for
the first to commit, then sees the conflict); a transaction that fails rolls back its
events and its increments together. Hence, at every commit, each counter equals the sum
over its events. Rows are written in sorted key order so concurrent batches take row
locks in the same order and cannot deadlock each other.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from ads.accounts.models import Advertiser
from ads.campaigns.models import Ad, AdGroup, Campaign
from ads.db import among
from ads.ingestion.bulk import EventColumns, count_spend, insert_new
from ads.ingestion.rules import (
    Duplicate,
    EventFlag,
    Rejection,
    check_batch,
    schedule_flag,
    status_flag,
    unknown_ad,
)
from ads.time import utcnow, zone


@dataclass(frozen=True)
class IngestReport:
    """What happened to a batch: counts, each duplicate and each rejected event."""

    accepted: int = 0
    flagged: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    #: In batch order.
    duplicated: list[Duplicate] = field(default_factory=list)

    @property
    def duplicates(self) -> int:
        return len(self.duplicated)

    def to_json(self) -> dict[str, Any]:
        return {
            "accepted": self.accepted,
            "duplicates": self.duplicates,
            "rejected": len(self.rejected),
            "flagged": self.flagged,
            "errors": [r.to_json() for r in self.rejected],
            "duplicateEvents": [d.to_json() for d in self.duplicated],
        }


class _AdContext(NamedTuple):
    ad_group_id: int
    campaign_id: int
    advertiser_id: int
    tz: ZoneInfo
    flag: EventFlag | None
    start_at: datetime
    end_at: datetime | None


def record_events(
    session: Session, raw_events: Sequence[Any], *, now: datetime | None = None
) -> IngestReport:
    """Validate a batch, record the new valid events and count their spend; commit.

    Duplicates (an id seen in this batch or in an earlier one) are listed, not
    recorded; the first occurrence in a batch wins. Invalid events are reported with
    their index and reason and do not stop the others.
    """
    moment = now or utcnow()
    checked = check_batch(raw_events, moment)
    rejected, unique = checked.rejected, checked.unique
    if not unique:
        session.rollback()
        return IngestReport(duplicated=checked.repeats, rejected=rejected)

    ads = _ad_contexts(session, {e.ad_id for e in unique.values()})
    rows = EventColumns()
    # The columns are built in one pass, in event id order (the lock order).
    append_id, append_type = rows.event_id.append, rows.type.append
    append_ad, append_group = rows.ad_id.append, rows.ad_group_id.append
    append_campaign, append_advertiser = rows.campaign_id.append, rows.advertiser_id.append
    append_cost, append_at = rows.cost_micros.append, rows.occurred_at.append
    append_day, append_hour, append_flag = (
        rows.local_day.append,
        rows.local_hour.append,
        rows.flag.append,
    )
    for event_id in sorted(unique):
        event = unique[event_id]
        ad = ads.get(event.ad_id)
        if ad is None:
            rejected.append(unknown_ad(event))
            continue
        occurred = event.occurred_at
        local = occurred.astimezone(ad.tz)
        flag = ad.flag or schedule_flag(ad.start_at, ad.end_at, occurred)
        append_id(event_id)
        append_type(event.type)
        append_ad(event.ad_id)
        append_group(ad.ad_group_id)
        append_campaign(ad.campaign_id)
        append_advertiser(ad.advertiser_id)
        append_cost(event.cost_micros)
        append_at(occurred)
        append_day(local.date())
        append_hour(local.hour)
        append_flag(flag)
    rejected.sort(key=lambda r: r.position)
    if not rows:
        session.rollback()
        return IngestReport(duplicated=checked.repeats, rejected=rejected)

    new_rows = insert_new(session, rows, moment)
    count_spend(session, new_rows)
    session.commit()
    duplicated = checked.repeats
    if len(new_rows) < len(rows):
        inserted = set(new_rows.event_id)
        duplicated = duplicated + [
            Duplicate(unique[event_id].position, event_id)
            for event_id in rows.event_id
            if event_id not in inserted
        ]
        duplicated.sort(key=lambda d: d.position)
    return IngestReport(
        accepted=len(new_rows),
        flagged=len(new_rows) - new_rows.flag.count(None),
        rejected=rejected,
        duplicated=duplicated,
    )


def _ad_contexts(session: Session, ad_ids: Iterable[int]) -> dict[int, _AdContext]:
    """Everything ingestion needs about each ad of a batch, in one query (Core, no ORM)."""
    contexts: dict[int, _AdContext] = {}
    conn = session.connection()
    # `among`: the same statement text for every batch on PostgreSQL, prepared once.
    rows = conn.execute(_AD_CONTEXTS.where(among(Ad.id, sorted(ad_ids), conn.dialect.name)))
    for ad_id, ad_st, group_id, group_st, cid, c_st, start, end, aid, a_st, tz in rows:
        flag = status_flag(a_st, c_st, group_st, ad_st)
        contexts[ad_id] = _AdContext(group_id, cid, aid, zone(tz), flag, start, end)
    return contexts


_AD_CONTEXTS = (
    select(
        Ad.id,
        Ad.status,
        AdGroup.id,
        AdGroup.status,
        Campaign.id,
        Campaign.status,
        Campaign.start_at,
        Campaign.end_at,
        Advertiser.id,
        Advertiser.status,
        Advertiser.timezone,
    )
    .join(AdGroup, AdGroup.id == Ad.ad_group_id)
    .join(Campaign, Campaign.id == AdGroup.campaign_id)
    .join(Advertiser, Advertiser.id == Campaign.advertiser_id)
)
