"""`ads.db.upsert`: insert, or update on conflict, with counters added, on both databases."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from ads.db import upsert
from ads.pacing.models import CampaignHourExposure

HOURS: Table = CampaignHourExposure.__table__  # type: ignore[assignment]
KEYS = ["campaign_id", "day", "hour"]


def _row(hour: int, seconds: float) -> dict[str, object]:
    return {"campaign_id": 7, "day": date(2026, 10, 25), "hour": hour, "throttle_seconds": seconds}


def _stored(session: Session) -> dict[int, float]:
    rows = session.execute(select(HOURS.c.hour, HOURS.c.throttle_seconds)).all()
    return {hour: seconds for hour, seconds in rows}


def test_counters_add_up_on_a_conflict_and_new_keys_are_inserted(session: Session) -> None:
    upsert(session, HOURS, KEYS, [_row(2, 60.0)], add={"throttle_seconds"})
    upsert(session, HOURS, KEYS, [_row(2, 30.0), _row(3, 5.0)], add={"throttle_seconds"})
    assert _stored(session) == {2: 90.0, 3: 5.0}


def test_other_columns_take_the_new_value(session: Session) -> None:
    upsert(session, HOURS, KEYS, [_row(2, 60.0)])
    upsert(session, HOURS, KEYS, [_row(2, 30.0)])
    assert _stored(session) == {2: 30.0}


def test_no_rows_is_no_statement(session: Session) -> None:
    upsert(session, HOURS, KEYS, [], add={"throttle_seconds"})
    assert _stored(session) == {}
