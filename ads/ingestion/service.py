"""Recording delivery events exactly once and keeping the spend counters in step.

Exactly once: events are inserted with `INSERT … ON CONFLICT (event_id) DO NOTHING
RETURNING event_id`, and the counters are incremented (`x = x + excluded.x`) by the
events that statement returned, in the same transaction. A returned id is one this
transaction inserted, so every event is added to the counters by the one transaction
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
from datetime import date, datetime
from enum import StrEnum
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import Table, select, text
from sqlalchemy.orm import Session

from ads.accounts.models import Advertiser
from ads.campaigns.models import Ad, AdGroup, Campaign
from ads.ingestion.models import (
    AdGroupDaySpend,
    CampaignDaySpend,
    CampaignHourTraffic,
    DeliveryEvent,
)
from ads.ingestion.rules import (
    Event,
    EventFlag,
    EventType,
    Rejection,
    parse_event,
    schedule_flag,
    status_flag,
    unknown_ad,
)
from ads.time import utcnow, zone

EVENTS: Table = DeliveryEvent.__table__  # type: ignore[assignment]
CAMPAIGN_DAYS: Table = CampaignDaySpend.__table__  # type: ignore[assignment]
AD_GROUP_DAYS: Table = AdGroupDaySpend.__table__  # type: ignore[assignment]
HOURS: Table = CampaignHourTraffic.__table__  # type: ignore[assignment]


@dataclass(frozen=True)
class IngestReport:
    """What happened to a batch: counts, and each rejected event with its reason."""

    accepted: int = 0
    duplicates: int = 0
    flagged: int = 0
    rejected: list[Rejection] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "accepted": self.accepted,
            "duplicates": self.duplicates,
            "rejected": len(self.rejected),
            "flagged": self.flagged,
            "errors": [r.to_json() for r in self.rejected],
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

    Duplicates (an id seen in this batch or in an earlier one) are counted, not
    recorded; the first occurrence in a batch wins. Invalid events are reported with
    their index and reason and do not stop the others.
    """
    moment = now or utcnow()
    rejected: list[Rejection] = []
    unique: dict[str, Event] = {}
    duplicates = 0
    for index, raw in enumerate(raw_events):
        parsed = parse_event(index, raw, moment)
        if isinstance(parsed, Rejection):
            rejected.append(parsed)
        elif parsed.event_id in unique:
            duplicates += 1
        else:
            unique[parsed.event_id] = parsed
    if not unique:
        session.rollback()
        return IngestReport(duplicates=duplicates, rejected=rejected)

    ads = _ad_contexts(session, {e.ad_id for e in unique.values()})
    rows: list[dict[str, Any]] = []
    for event_id in sorted(unique):
        event = unique[event_id]
        ad = ads.get(event.ad_id)
        if ad is None:
            rejected.append(unknown_ad(event))
            continue
        local = event.occurred_at.astimezone(ad.tz)
        flag = ad.flag or schedule_flag(ad.start_at, ad.end_at, event.occurred_at)
        rows.append(
            {
                "event_id": event_id,
                "type": event.type,
                "ad_id": event.ad_id,
                "ad_group_id": ad.ad_group_id,
                "campaign_id": ad.campaign_id,
                "advertiser_id": ad.advertiser_id,
                "cost_micros": event.cost_micros,
                "occurred_at": event.occurred_at,
                "local_day": local.date(),
                "received_at": moment,
                "flag": flag,
                "_hour": local.hour,
            }
        )
    rejected.sort(key=lambda r: r.position)
    if not rows:
        session.rollback()
        return IngestReport(duplicates=duplicates, rejected=rejected)

    inserted = _insert_new(session, rows)
    new_rows = [row for row in rows if row["event_id"] in inserted]
    _count_spend(session, new_rows)
    session.commit()
    return IngestReport(
        accepted=len(new_rows),
        duplicates=duplicates + len(rows) - len(new_rows),
        flagged=sum(1 for row in new_rows if row["flag"] is not None),
        rejected=rejected,
    )


def _ad_contexts(session: Session, ad_ids: Iterable[int]) -> dict[int, _AdContext]:
    """Everything ingestion needs about each ad of a batch, in one query."""
    query = (
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
        .where(Ad.id.in_(sorted(ad_ids)))
    )
    contexts: dict[int, _AdContext] = {}
    for ad_id, ad_st, group_id, group_st, cid, c_st, start, end, aid, a_st, tz in session.execute(
        query
    ):
        flag = status_flag(a_st, c_st, group_st, ad_st)
        contexts[ad_id] = _AdContext(group_id, cid, aid, zone(tz), flag, start, end)
    return contexts


def _insert_new(session: Session, rows: list[dict[str, Any]]) -> set[str]:
    """Insert the rows whose event_id is new; return those ids."""
    if session.get_bind().dialect.name == "postgresql":
        return _insert_new_postgres(session, rows)
    insert = dialect_insert(session)
    stmt = (
        insert(EVENTS)
        .on_conflict_do_nothing(index_elements=[EVENTS.c.event_id])
        .returning(EVENTS.c.event_id)
    )
    params = [{name: row[name] for name in _EVENT_COLUMNS} for row in rows]
    return set(session.connection().execute(stmt, params).scalars())


_EVENT_COLUMNS = [c.name for c in EVENTS.columns if c.name != "id"]
_PG_ARRAY_TYPES = {
    "event_id": "TEXT[]",
    "type": "TEXT[]",
    "ad_id": "BIGINT[]",
    "ad_group_id": "BIGINT[]",
    "campaign_id": "BIGINT[]",
    "advertiser_id": "BIGINT[]",
    "cost_micros": "BIGINT[]",
    "occurred_at": "TIMESTAMPTZ[]",
    "local_day": "DATE[]",
    "received_at": "TIMESTAMPTZ[]",
    "flag": "TEXT[]",
}
assert set(_PG_ARRAY_TYPES) == set(_EVENT_COLUMNS)
# One statement with one array parameter per column: the server unnests them into rows.
# A multi-row VALUES list has 11 placeholders per event, and parsing and binding 11,000
# placeholders per batch cost more than the insert itself (see bench/RESULTS.md).
_PG_COLUMNS = ", ".join(_PG_ARRAY_TYPES)
_PG_ARRAYS = ", ".join(f"CAST(:{name} AS {kind})" for name, kind in _PG_ARRAY_TYPES.items())
_PG_INSERT = text(  # built from the constants above only
    f"INSERT INTO delivery_events ({_PG_COLUMNS}) SELECT * FROM unnest({_PG_ARRAYS}) "  # noqa: S608
    "ON CONFLICT (event_id) DO NOTHING RETURNING event_id"
)


def _insert_new_postgres(session: Session, rows: list[dict[str, Any]]) -> set[str]:
    params: dict[str, list[Any]] = {name: [] for name in _PG_ARRAY_TYPES}
    for row in rows:
        for name, values in params.items():
            value = row[name]
            values.append(value.value if isinstance(value, StrEnum) else value)
    return set(session.connection().execute(_PG_INSERT, params).scalars())


def _count_spend(session: Session, rows: list[dict[str, Any]]) -> None:
    """Add the inserted events to the day and hour counters, one upsert per table."""
    campaigns: dict[tuple[int, date], list[int]] = {}
    groups: dict[tuple[int, date], list[int]] = {}
    hours: dict[tuple[int, date, int], int] = {}
    for row in rows:
        cost, click = row["cost_micros"], row["type"] is EventType.CLICK
        day = row["local_day"]
        c = campaigns.setdefault((row["campaign_id"], day), [row["advertiser_id"], 0, 0, 0])
        g = groups.setdefault((row["ad_group_id"], day), [row["campaign_id"], 0, 0, 0])
        for counter in (c, g):
            counter[1] += cost
            counter[2 + click] += 1
        key = (row["campaign_id"], day, row["_hour"])
        hours[key] = hours.get(key, 0) + 1
    names = ("spend_micros", "impressions", "clicks")
    _upsert(
        session,
        CAMPAIGN_DAYS,
        ("campaign_id", "day"),
        names,
        [
            {
                "campaign_id": k[0],
                "day": k[1],
                "advertiser_id": v[0],
                **dict(zip(names, v[1:], strict=True)),
            }
            for k, v in sorted(campaigns.items())
        ],
    )
    _upsert(
        session,
        AD_GROUP_DAYS,
        ("ad_group_id", "day"),
        names,
        [
            {
                "ad_group_id": k[0],
                "day": k[1],
                "campaign_id": v[0],
                **dict(zip(names, v[1:], strict=True)),
            }
            for k, v in sorted(groups.items())
        ],
    )
    _upsert(
        session,
        HOURS,
        ("campaign_id", "day", "hour"),
        ("events",),
        [
            {"campaign_id": k[0], "day": k[1], "hour": k[2], "events": v}
            for k, v in sorted(hours.items())
        ],
    )


def _upsert(
    session: Session,
    table: Table,
    keys: Sequence[str],
    increments: Sequence[str],
    params: list[dict[str, Any]],
) -> None:
    if not params:
        return
    stmt = dialect_insert(session)(table)
    stmt = stmt.on_conflict_do_update(
        index_elements=list(keys),
        set_={name: table.c[name] + stmt.excluded[name] for name in increments},
    )
    session.connection().execute(stmt, params)


def dialect_insert(session: Session) -> Any:
    """The INSERT construct with ON CONFLICT support for the session's database."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert

        return insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert
