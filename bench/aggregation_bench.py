"""Hourly aggregation: the time of a run with 1 M vs 5 M events already in the hour.

Usage (repository root; PostgreSQL):
    scripts/with-services .venv/bin/python bench/aggregation_bench.py \
        [--existing 1000000 5000000] [--new 100000] [--rounds 3]

For each size S a fresh database holds S events of one UTC hour (written with COPY,
received long ago) and their aggregates (one aggregation run, not timed). Then, in
rounds interleaved across the sizes, `--new` more events of that same hour arrive
(COPY, received after the watermark, as late events and the minute's traffic do) and one
run is timed:
  ours      `ads.billing.aggregation.aggregate`: reads the events received since the
            watermark and adds their sums to the hour's rows;
  baseline  the algorithm it replaced, in this file: find the hours touched by the events
            received since the watermark, then recompute each of them whole from all its
            raw events (delete its rows, insert a fresh GROUP BY) and move the watermark.
Target: ours with 5 M events already in the hour takes <= 1.2x ours with 1 M.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import uuid
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import case, delete, func, insert, select
from sqlalchemy.orm import Session

from ads.billing.aggregation import WATERMARK, aggregate, ensure_watermark
from ads.billing.domain.calendar import HOUR
from ads.billing.models import BillingWatermark, HourlyDelivery
from ads.billing.sql_dates import utc_hour
from ads.campaigns.models import Ad, AdGroup, Campaign
from ads.config import Settings
from ads.db import make_engine, session_factory
from ads.ingestion.models import DeliveryEvent
from ads.ingestion.rules import EventType
from ads.schema_version import upgrade_to_head
from bench.ingest_bench import make_ads
from tests.databases import fresh_postgres_database

#: The hour the events are in, and when the existing ones were received.
HOUR_START = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(hours=3)
COLUMNS = (
    "event_id, type, ad_id, ad_group_id, campaign_id, advertiser_id, cost_micros, "
    "occurred_at, local_day, received_at, flag"
)


class Database:
    def __init__(self, url: str, existing: int) -> None:
        self.settings = Settings(database_url=url)
        upgrade_to_head(self.settings)
        make_ads(self.settings)
        self.engine = make_engine(self.settings)
        self.sessions = session_factory(self.engine)
        with self.sessions() as session:
            self.ads = session.execute(
                select(Ad.id, AdGroup.id, Campaign.id, Campaign.advertiser_id)
                .join(AdGroup, AdGroup.id == Ad.ad_group_id)
                .join(Campaign, Campaign.id == AdGroup.campaign_id)
            ).all()
        self.clock = HOUR_START + HOUR + timedelta(minutes=1)
        self.copy(existing)
        with self.sessions() as session:
            aggregate(session, now=self.clock + timedelta(minutes=1), settle_seconds=0)
        self.clock += timedelta(minutes=2)
        self.existing = existing

    def copy(self, count: int) -> None:
        """`count` events of the hour, received at the current clock, with COPY."""
        local_day = HOUR_START.date()
        raw = self.engine.raw_connection()
        try:
            with raw.cursor() as cursor:
                for start in range(0, count, 100_000):
                    with cursor.copy(f"COPY delivery_events ({COLUMNS}) FROM STDIN") as copy:
                        for i in range(start, min(count, start + 100_000)):
                            ad, group, campaign, advertiser = self.ads[i % len(self.ads)]
                            occurred = HOUR_START + timedelta(
                                microseconds=(i * 7_919) % 3_600_000_000
                            )
                            copy.write_row(
                                (uuid.uuid4().hex, "CLICK" if i % 50 == 0 else "IMPRESSION", ad,
                                 group, campaign, advertiser, 1_000 + i % 777, occurred,
                                 local_day, self.clock, None)
                            )  # fmt: skip
            raw.commit()
        finally:
            raw.close()

    def run(self, new: int, algorithm: Any) -> float:
        self.copy(new)
        self.clock += timedelta(seconds=1)
        with self.sessions() as session:
            started = time.perf_counter()
            algorithm(session, now=self.clock)
            elapsed = time.perf_counter() - started
        self.clock += timedelta(minutes=1)
        return elapsed


def ours(session: Session, *, now: datetime) -> None:
    aggregate(session, now=now, settle_seconds=0)


def touched_hours(session: Session, start: datetime, end: datetime) -> list[datetime]:
    """The UTC hours of events received in [start, end)."""
    hour = utc_hour(DeliveryEvent.occurred_at, session.get_bind().dialect.name)
    texts = session.scalars(
        select(hour)
        .where(DeliveryEvent.received_at >= start, DeliveryEvent.received_at < end)
        .group_by(hour)
    ).all()
    return [datetime.strptime(t, "%Y-%m-%d %H").replace(tzinfo=UTC) for t in texts]


def recompute_whole_hours(session: Session, *, now: datetime) -> None:
    """The replaced algorithm: every hour with new events, recomputed from all its events."""
    ensure_watermark(session, WATERMARK)
    mark = session.scalars(
        select(BillingWatermark).where(BillingWatermark.name == WATERMARK).with_for_update()
    ).one()
    for hour in touched_hours(session, mark.value, now):
        e = DeliveryEvent
        rows = session.execute(
            select(
                e.ad_group_id,
                e.local_day,
                func.min(e.campaign_id),
                func.min(e.advertiser_id),
                func.sum(case((e.type == EventType.IMPRESSION, 1), else_=0)),
                func.sum(case((e.type == EventType.CLICK, 1), else_=0)),
                func.sum(e.cost_micros),
                func.count(),
            )
            .where(e.occurred_at >= hour, e.occurred_at < hour + HOUR)
            .group_by(e.ad_group_id, e.local_day)
        ).all()
        session.execute(delete(HourlyDelivery).where(HourlyDelivery.hour == hour))
        session.execute(
            insert(HourlyDelivery),
            [
                {"ad_group_id": r[0], "hour": hour, "day": r[1], "campaign_id": r[2],
                 "advertiser_id": r[3], "impressions": int(r[4]), "clicks": int(r[5]),
                 "spend_micros": int(r[6]), "events": int(r[7])}
                for r in rows
            ],
        )  # fmt: skip
    mark.value = now
    session.commit()


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--existing", type=int, nargs="+", default=[1_000_000, 5_000_000])
    parser.add_argument("--new", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with ExitStack() as stack:
        databases = []
        for existing in args.existing:
            started = time.perf_counter()
            databases.append(Database(stack.enter_context(fresh_postgres_database()), existing))
            print(f"loaded {existing:,} events in {time.perf_counter() - started:.0f} s")
        times: dict[tuple[str, int], list[float]] = {}
        print(f"new events per run {args.new:,}; load {load_average()}")
        for round_ in range(args.rounds):
            for db in databases if round_ % 2 == 0 else databases[::-1]:
                for name, algorithm in (("ours", ours), ("baseline", recompute_whole_hours)):
                    elapsed = db.run(args.new, algorithm)
                    times.setdefault((name, db.existing), []).append(elapsed)
                    print(
                        f"round {round_ + 1}: {name:8s} {db.existing:>10,} in the hour: "
                        f"{elapsed:6.2f} s   load {load_average()}",
                        flush=True,
                    )
        small, large = args.existing[0], args.existing[-1]
        for name in ("ours", "baseline"):
            a = statistics.median(times[(name, small)])
            b = statistics.median(times[(name, large)])
            print(
                f"{name:8s} median {a:.2f} s with {small:,}, {b:.2f} s with {large:,}: {b / a:.2f}x"
            )
        for db in databases:
            db.engine.dispose()


if __name__ == "__main__":
    main()
