"""`ads.db.upsert` (insert, or update on conflict, with counters added; updates guarded by
an `older` column) and `ads.db.among` (an id filter), on both databases."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from ads.db import among, upsert
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


def test_an_update_guarded_by_older_only_replaces_a_lesser_value(session: Session) -> None:
    upsert(session, HOURS, KEYS, [_row(2, 60.0), _row(3, 60.0)])
    upsert(session, HOURS, KEYS, [_row(2, 30.0), _row(3, 90.0)], older="throttle_seconds")
    assert _stored(session) == {2: 60.0, 3: 90.0}


def _hours(session: Session, count: int) -> None:
    upsert(
        session,
        HOURS,
        KEYS,
        [{**_row(0, 1.0), "campaign_id": cid} for cid in range(1, count + 1)],
    )


def test_among_selects_exactly_the_ids_given(session: Session) -> None:
    _hours(session, 2_500)
    dialect = session.connection().dialect.name
    wanted = [*range(3, 2_400, 3), 2_500, 99_999]  # one id has no row

    def found(ids: list[int]) -> list[int]:
        query = select(HOURS.c.campaign_id).where(among(HOURS.c.campaign_id, ids, dialect))
        return sorted(session.scalars(query))

    assert found(wanted) == [*range(3, 2_400, 3), 2_500]
    assert found([7]) == [7]
    assert found([]) == []
