"""The ingestion hot path: fast validation agrees with the rules, ids round-trip, races."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ads.config import Settings
from ads.db import make_engine, session_factory
from ads.ingestion.models import AdGroupDaySpend, CampaignDaySpend, DeliveryEvent
from ads.ingestion.rules import Event, check_batch, parse_event
from ads.ingestion.service import record_events
from tests.ingestion.fixtures import NOW, Tree, event

_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**64), max_value=2**64),
    st.floats(allow_nan=False),
    st.text(max_size=70),
    st.sampled_from(["IMPRESSION", "CLICK", "7", "-3", "1500000", "", [], {}]),
    st.sampled_from(
        [
            "2026-11-20T16:59:00Z",
            "2026-11-20T11:58:00-05:00",
            "2026-11-20T16:59:00",
            "2026-11-20T17:06:00Z",
            "2026-11-01T00:00:00Z",
            "2026-11-20T16:59:00.123456+00:00",
            "20261120T165900Z",
        ]
    ),
)
_raw_events = st.one_of(
    st.dictionaries(st.sampled_from(["id", "type", "adId", "costMicros", "occurredAt"]), _values),
    st.builds(
        lambda eid, kind, ad, cost, at: {
            "id": eid,
            "type": kind,
            "adId": ad,
            "costMicros": cost,
            "occurredAt": at,
        },
        st.sampled_from(["a", "b", "c", 'q"uote', "back\\slash", "nul\x00"]),
        st.sampled_from(["IMPRESSION", "CLICK", "VIEW"]),
        st.integers(min_value=-1, max_value=2**63),
        st.one_of(st.integers(min_value=-1, max_value=10**13), st.text(max_size=3)),
        _values,
    ),
    _values,
)


@hypothesis_settings(max_examples=300, deadline=None)
@given(st.lists(_raw_events, max_size=12))
def test_the_fast_path_decides_like_parse_event(batch: list[Any]) -> None:
    checked = check_batch(batch, NOW)

    expected_unique: dict[str, Event] = {}
    expected_rejected = []
    duplicates = 0
    for index, raw in enumerate(batch):
        parsed = parse_event(index, raw, NOW)
        if not isinstance(parsed, Event):
            expected_rejected.append(parsed)
        elif parsed.event_id in expected_unique:
            duplicates += 1
        else:
            expected_unique[parsed.event_id] = parsed
    assert checked.unique == expected_unique
    assert checked.rejected == expected_rejected
    assert checked.duplicates == duplicates


def test_any_id_round_trips_exactly(session: Session, tree: Tree) -> None:
    ids = ['a"b', "c\\d", "{x,y}", "NULL", " spaced ", "ünï", "'", '\\"', "e"]
    report = record_events(session, [event(i, tree.ad_id) for i in ids], now=NOW)
    again = record_events(session, [event(i, tree.ad_id) for i in ids], now=NOW)

    assert (report.accepted, again.duplicates) == (len(ids), len(ids))
    assert sorted(session.scalars(select(DeliveryEvent.event_id))) == sorted(ids)


def test_a_batch_partly_seen_before_counts_only_its_new_events(
    session: Session, tree: Tree
) -> None:
    record_events(session, [event("a", tree.ad_id), event("b", tree.ad_id)], now=NOW)
    report = record_events(
        session, [event("b", tree.ad_id, costMicros=9), event("c", tree.ad_id)], now=NOW
    )

    assert (report.accepted, report.duplicates) == (1, 1)
    assert session.scalar(select(CampaignDaySpend.spend_micros)) == 3 * 2_500
    assert session.scalar(select(AdGroupDaySpend.impressions)) == 3


def test_concurrent_overlapping_batches_count_every_event_once(
    settings: Settings, session: Session, tree: Tree
) -> None:
    engine = make_engine(settings)
    sessions = session_factory(engine)
    moment = datetime.now(UTC)
    at = (moment - timedelta(minutes=1)).isoformat()
    batches = [
        [event(f"e{i}", tree.ad_id, costMicros=i, occurredAt=at) for i in range(s, s + 300)]
        for s in (0, 100, 200, 50, 150)
    ]
    accepted: list[int] = []
    errors: list[BaseException] = []

    def send(batch: list[dict[str, Any]]) -> None:
        try:
            with sessions() as own:
                accepted.append(record_events(own, batch, now=moment).accepted)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=send, args=(b,)) for b in batches]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    engine.dispose()

    assert not errors
    assert sum(accepted) == 500
    total = session.execute(
        select(func.count(), func.sum(DeliveryEvent.cost_micros)).select_from(DeliveryEvent)
    ).one()
    counters = session.execute(
        select(CampaignDaySpend.spend_micros, CampaignDaySpend.impressions)
    ).all()
    assert total == (500, sum(range(500)))
    assert [tuple(c) for c in counters] == [(sum(range(500)), 500)]
