"""The events migration moves a database with events over, and back, on both databases.

A database at the revision before events were keyed by time and partitioned holds events
(and their counters); after the upgrade every event is there, a resent one is still a
duplicate, billing aggregates them, and on PostgreSQL each event's day has a partition.
The downgrade brings them back into the old table.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Engine, bindparam, func, select, text

from ads.billing.aggregation import aggregate
from ads.billing.models import HourlyDelivery
from ads.db import UTCDateTime, make_engine, session_factory
from ads.ingestion import partitions
from ads.ingestion.models import CampaignDaySpend, DeliveryEvent
from ads.ingestion.service import record_events
from ads.schema_version import alembic_config
from tests import factories
from tests.databases import fresh_postgres_database, settings_for

BEFORE = "export_supersession"
NOW = datetime(2026, 11, 20, 17, tzinfo=UTC)
TIMES = [NOW - timedelta(days=3, hours=5), NOW - timedelta(hours=2), NOW - timedelta(minutes=1)]


@pytest.fixture(params=["sqlite", "postgres"])
def old_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A database at the revision before, with an ad and three events of three days."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'old.db'}"
        engine = make_engine(settings_for(url))
        yield from _at_revision_before(engine)
        return
    with fresh_postgres_database() as url:
        engine = make_engine(settings_for(url))
        yield from _at_revision_before(engine)


def _at_revision_before(engine: Engine) -> Iterator[Engine]:
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), BEFORE)
    with session_factory(engine)() as session:
        advertiser = factories.advertiser(session)
        campaign = factories.campaign(session, advertiser.id)
        group = factories.ad_group(session, campaign.id)
        ad = factories.ad(session, group.id)
        ids = (ad.id, group.id, campaign.id, advertiser.id)
    # As the application wrote them (UTC times in the columns' own format).
    insert_old = text(
        "INSERT INTO delivery_events (event_id, type, ad_id, ad_group_id, campaign_id, "
        "advertiser_id, cost_micros, occurred_at, local_day, received_at, flag) VALUES "
        "(:id, 'IMPRESSION', :ad, :group, :campaign, :advertiser, :cost, :at, :day, :at, NULL)"
    ).bindparams(bindparam("at", type_=UTCDateTime()))
    with engine.begin() as conn:
        for n, at in enumerate(TIMES):
            conn.execute(
                insert_old,
                {
                    "id": f"old-{n}",
                    "ad": ids[0],
                    "group": ids[1],
                    "campaign": ids[2],
                    "advertiser": ids[3],
                    "cost": 1_000 * (n + 1),
                    "at": at,
                    "day": at.date(),
                },
            )
    yield engine
    engine.dispose()


def test_events_move_over_stay_unique_and_come_back(old_database: Engine) -> None:
    engine = old_database
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "head")
    with engine.begin() as conn:
        command.check(alembic_config(conn))
    sessions = session_factory(engine)
    with sessions() as session:
        events = session.execute(
            select(
                DeliveryEvent.event_id, DeliveryEvent.occurred_at, DeliveryEvent.cost_micros
            ).order_by(DeliveryEvent.occurred_at)
        ).all()
        assert [tuple(e) for e in events] == [
            (f"old-{n}", at, 1_000 * (n + 1)) for n, at in enumerate(TIMES)
        ]
        if engine.dialect.name == "postgresql":
            assert {at.date() for at in TIMES} <= set(partitions.stored_days(session))
        ad_id = session.scalar(select(DeliveryEvent.ad_id))
        resent = {
            "id": "old-2",
            "type": "IMPRESSION",
            "adId": ad_id,
            "costMicros": "3000",
            "occurredAt": TIMES[2].isoformat(),
        }
        report = record_events(session, [resent, {**resent, "id": "new"}], now=NOW)
        assert (report.accepted, report.duplicates) == (1, 1)
        assert session.scalar(select(CampaignDaySpend.spend_micros)) == 3_000
        aggregate(session, now=NOW + timedelta(hours=1), settle_seconds=0)
        assert session.scalar(select(func.sum(HourlyDelivery.spend_micros))) == 9_000
    with engine.begin() as conn:
        command.downgrade(alembic_config(conn), BEFORE)
    with engine.begin() as conn:
        back = conn.execute(
            text("SELECT event_id, cost_micros FROM delivery_events ORDER BY id")
        ).all()
    assert [tuple(row) for row in back] == [
        ("old-0", 1_000),
        ("old-1", 2_000),
        ("new", 3_000),
        ("old-2", 3_000),
    ]
