"""Campaign.pacingCurve through real HTTP: events in, aggregation, a tick, the chart out."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from ads.api.ids import global_id
from ads.auth.principal import CLI_PRINCIPAL
from ads.auth.roles import Role
from ads.billing.aggregation import aggregate
from ads.campaigns.models import Campaign
from ads.campaigns.rules import BudgetType
from ads.campaigns.service import update_campaign
from ads.config import Settings
from ads.pacing.service import recompute_shard
from ads.time import day_bounds, local_day
from ads.tokens.service import create_token
from tests import factories
from tests.api.documents import document
from tests.billing.fixtures import Send

ZONES = ["Pacific/Kiritimati", "Asia/Tokyo", "Europe/Paris", "America/New_York", "Pacific/Honolulu"]
MILLION = 1_000_000


def _curve(client: TestClient, token: str, campaign: int, day: date | None = None) -> Any:
    curve_document = document("PacingCurve")
    variables: dict[str, Any] = {"id": global_id("Campaign", campaign)}
    if day is not None:
        variables["day"] = day.isoformat()
    response = client.post(
        "/graphql",
        json={"documentId": curve_document.id, "variables": variables},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200, response.text
    return response.json()


def _micros(money: dict[str, str] | None) -> int | None:
    return None if money is None else int(money["amountMicros"])


def _daytime_zone(now: datetime) -> str:
    """A zone where it is day now, so events of the last hours are all today's."""
    return next(z for z in ZONES if 5 <= now.astimezone(ZoneInfo(z)).hour <= 20)


def _campaign(session: Session, tz: str, **fields: Any) -> tuple[int, int]:
    advertiser = factories.advertiser(session, timezone=tz, name=f"Curve {tz}")
    campaign = factories.campaign(
        session, advertiser.id, **({"start_at": datetime(2024, 1, 1, tzinfo=UTC)} | fields)
    )
    ad = factories.ad(session, factories.ad_group(session, campaign.id).id)
    return campaign.id, ad.id


def _time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def test_todays_curve_has_the_spend_of_every_hour_and_the_live_counter(
    client: TestClient, session: Session, settings: Settings, send: Send
) -> None:
    now = datetime.now(UTC)
    tz = _daytime_zone(now)
    campaign, ad = _campaign(session, tz)
    three_hours_ago, ninety_minutes_ago = now - timedelta(hours=3), now - timedelta(minutes=90)
    for cost in (2, 2, 2):
        send(ad, three_hours_ago, cost * MILLION, received=three_hours_ago)
    send(ad, ninety_minutes_ago, 5 * MILLION, received=ninety_minutes_ago)
    aggregate(session, now=now, settle_seconds=0)
    send(ad, now - timedelta(seconds=20), 1 * MILLION, received=now)  # not aggregated yet
    recompute_shard(session, slot=now.timestamp() // 60 * 60, shard=0, shards=1, settings=settings)
    token = create_token(session, role=Role.ADMIN)[1]

    body = _curve(client, token, campaign)
    assert "errors" not in body, body
    curve = body["data"]["campaign"]["pacingCurve"]
    start, end = day_bounds(local_day(now, ZoneInfo(tz)), ZoneInfo(tz))
    assert (_time(curve["start"]), _time(curve["end"])) == (start, end)
    assert curve["hours"] == (end - start).total_seconds() / 3600
    assert _micros(curve["budget"]) == 100 * MILLION
    assert _micros(curve["hardCap"]) == 101 * MILLION
    assert _micros(curve["spent"]) == 12 * MILLION
    points = curve["points"]
    times = [_time(p["at"]) for p in points]
    assert times == sorted(times)
    assert times[0] == start
    assert times[-1] == end
    as_of = _time(curve["asOf"])
    assert as_of in times
    assert now - timedelta(minutes=1) < as_of <= datetime.now(UTC)
    targets = [_micros(p["target"]) for p in points]
    assert targets == sorted(targets)
    assert targets[0] == 0
    assert targets[-1] == 100 * MILLION
    for point, at in zip(points, times, strict=True):
        expected = sum(
            cost
            for when, cost in [(three_hours_ago, 6), (ninety_minutes_ago, 5)]
            if when.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1) <= at
        )
        if at < as_of:
            assert _micros(point["actual"]) == expected * MILLION, point
            assert point["projected"] is None
        elif at == as_of:
            assert _micros(point["actual"]) == _micros(point["projected"]) == 12 * MILLION
        else:
            assert point["actual"] is None
            assert 12 * MILLION <= _micros(point["projected"]) <= 100 * MILLION  # type: ignore[operator]
    assert _micros(curve["projectedEndOfDay"]) == _micros(points[-1]["projected"])
    hourly = curve["hourly"]
    assert sum(_micros(h["spend"]) for h in hourly) == 12 * MILLION  # type: ignore[misc]
    assert sum(h["impressions"] for h in hourly) == 5
    by_start = {_time(h["start"]): _micros(h["spend"]) for h in hourly}
    assert by_start[three_hours_ago.replace(minute=0, second=0, microsecond=0)] == 6 * MILLION


def _last_day_of_length(tz: ZoneInfo, hours: int, before: date) -> date:
    day = before - timedelta(days=1)
    while True:
        start, end = day_bounds(day, tz)
        if end - start == timedelta(hours=hours):
            return day
        day -= timedelta(days=1)


@pytest.mark.parametrize("hours", [23, 25])
def test_a_daylight_saving_day_is_drawn_with_its_real_hours(
    client: TestClient, session: Session, send: Send, hours: int
) -> None:
    tz = ZoneInfo("America/New_York")
    day = _last_day_of_length(tz, hours, local_day(datetime.now(UTC), tz))
    campaign, ad = _campaign(session, "America/New_York", budget_micros=50 * MILLION)
    start, end = day_bounds(day, tz)
    every_hour = [start + timedelta(hours=h, minutes=10) for h in range(hours)]
    for i, moment in enumerate(every_hour):
        send(ad, moment, (i + 1) * MILLION, received=moment)
    aggregate(session, now=end + timedelta(hours=1), settle_seconds=0)
    # A budget change after the day leaves the day's budget as it was then.
    update_campaign(session, CLI_PRINCIPAL, campaign, {"budget_micros": 80 * MILLION})
    token = create_token(session, role=Role.ADMIN)[1]

    curve = _curve(client, token, campaign, day)["data"]["campaign"]["pacingCurve"]
    assert curve["day"] == day.isoformat()
    assert curve["hours"] == hours
    assert len(curve["hourly"]) == hours
    assert len(curve["points"]) == hours + 1
    assert [_micros(h["spend"]) for h in curve["hourly"]] == [
        (i + 1) * MILLION for i in range(hours)
    ]
    assert _micros(curve["budget"]) == 50 * MILLION
    assert _time(curve["asOf"]) == end
    total = sum(range(1, hours + 1)) * MILLION
    assert _micros(curve["points"][-1]["actual"]) == total
    assert _micros(curve["projectedEndOfDay"]) == total
    assert [_micros(p["actual"]) for p in curve["points"]] == [
        sum(range(1, h + 1)) * MILLION for h in range(hours + 1)
    ]


def test_a_lifetime_campaigns_past_day_gets_its_share_of_the_budget(
    client: TestClient, session: Session, send: Send
) -> None:
    tz = ZoneInfo("UTC")
    today = local_day(datetime.now(UTC), tz)
    first = today - timedelta(days=4)
    midnight = datetime.combine(first, datetime.min.time(), UTC)
    campaign, ad = _campaign(
        session,
        "UTC",
        budget_type=BudgetType.LIFETIME,
        start_at=midnight,
        end_at=midnight + timedelta(days=10),
    )
    noon = midnight + timedelta(hours=12)
    send(ad, noon, 20 * MILLION, received=noon)
    token = create_token(session, role=Role.ADMIN)[1]
    day_one = _curve(client, token, campaign, first)["data"]["campaign"]["pacingCurve"]
    day_two = _curve(client, token, campaign, first + timedelta(days=1))
    assert _micros(day_one["budget"]) == 10 * MILLION  # 100 over 10 days
    # 80 left over the 9 days from the second on.
    assert _micros(day_two["data"]["campaign"]["pacingCurve"]["budget"]) == 80 * MILLION // 9


def test_a_day_after_today_or_too_long_ago_is_refused(client: TestClient, session: Session) -> None:
    campaign, _ = _campaign(session, "UTC")
    token = create_token(session, role=Role.ADMIN)[1]
    today = local_day(datetime.now(UTC), ZoneInfo("UTC"))
    for day, fragment in [
        (today + timedelta(days=1), "after"),
        (today - timedelta(days=401), "400"),
    ]:
        body = _curve(client, token, campaign, day)
        assert body["data"]["campaign"]["pacingCurve"] is None
        (error,) = body["errors"]
        assert fragment in error["message"]
        assert error["extensions"]["code"] == "INVALID"


def test_another_tenants_campaign_has_no_curve(client: TestClient, session: Session) -> None:
    mine, _ = _campaign(session, "UTC")
    theirs, _ = _campaign(session, "Europe/Paris")
    own_advertiser = session.get_one(Campaign, mine).advertiser_id
    token = create_token(session, role=Role.ADVERTISER, advertiser_ids=[own_advertiser])[1]
    assert _curve(client, token, mine)["data"]["campaign"]["pacingCurve"] is not None
    assert _curve(client, token, theirs)["data"] == {"campaign": None}
