from datetime import UTC, datetime, timedelta

import pytest

from ads.accounts.rules import AdvertiserStatus
from ads.campaigns.rules import CampaignStatus, DeliveryStatus
from ads.ingestion.rules import (
    Event,
    EventFlag,
    EventType,
    Malformed,
    Rejection,
    parse_event,
    schedule_flag,
    status_flag,
)

NOW = datetime(2026, 11, 20, 17, 0, tzinfo=UTC)
GOOD = {
    "id": "e-1",
    "type": "CLICK",
    "adId": 7,
    "costMicros": "1500000",
    "occurredAt": "2026-11-20T11:58:00-05:00",
}


def test_a_good_event_is_parsed_with_its_time_in_utc() -> None:
    parsed = parse_event(3, GOOD, NOW)
    assert parsed == Event(
        3, "e-1", EventType.CLICK, 7, 1_500_000, datetime(2026, 11, 20, 16, 58, tzinfo=UTC)
    )


@pytest.mark.parametrize(
    ("change", "reason", "field"),
    [
        ({"id": ""}, "INVALID_ID", "id"),
        ({"id": "x" * 65}, "INVALID_ID", "id"),
        ({"id": 12}, "INVALID_ID", "id"),
        ({"type": "VIEW"}, "INVALID_TYPE", "type"),
        ({"adId": "abc"}, "INVALID_AD_ID", "adId"),
        ({"adId": 0}, "INVALID_AD_ID", "adId"),
        ({"adId": True}, "INVALID_AD_ID", "adId"),
        ({"costMicros": 1.5}, "INVALID_COST", "costMicros"),
        ({"costMicros": 2.0}, "INVALID_COST", "costMicros"),
        ({"costMicros": "1e6"}, "INVALID_COST", "costMicros"),
        ({"costMicros": -1}, "NEGATIVE_COST", "costMicros"),
        ({"costMicros": 10**13}, "COST_TOO_LARGE", "costMicros"),
        ({"occurredAt": "2026-11-20T11:58:00"}, "INVALID_TIME", "occurredAt"),
        ({"occurredAt": "yesterday"}, "INVALID_TIME", "occurredAt"),
        ({"occurredAt": "2026-11-20T17:06:00Z"}, "IN_FUTURE", "occurredAt"),
        ({"occurredAt": "2026-11-01T00:00:00Z"}, "TOO_OLD", "occurredAt"),
    ],
)
def test_each_broken_rule_has_its_reason_and_field(
    change: dict[str, object], reason: str, field: str
) -> None:
    parsed = parse_event(0, GOOD | change, NOW)
    assert isinstance(parsed, Rejection)
    assert (parsed.reason, parsed.field) == (reason, field)


def test_non_objects_and_malformed_lines_are_rejected() -> None:
    assert parse_event(1, [1, 2], NOW).reason == "NOT_AN_OBJECT"  # type: ignore[union-attr]
    assert parse_event(2, Malformed("bad"), NOW).reason == "MALFORMED_JSON"  # type: ignore[union-attr]


def test_small_clock_skew_is_tolerated() -> None:
    ahead = (NOW + timedelta(minutes=4)).isoformat()
    assert isinstance(parse_event(0, GOOD | {"occurredAt": ahead}, NOW), Event)


def test_archived_wins_over_paused_and_paused_over_schedule() -> None:
    args = (AdvertiserStatus.ACTIVE, CampaignStatus.PAUSED, DeliveryStatus.ARCHIVED)
    assert status_flag(*args, DeliveryStatus.ACTIVE) is EventFlag.ARCHIVED
    paused = status_flag(
        AdvertiserStatus.SUSPENDED, CampaignStatus.ACTIVE, DeliveryStatus.ACTIVE,
        DeliveryStatus.ACTIVE,
    )  # fmt: skip
    assert paused is EventFlag.PAUSED
    live = status_flag(
        AdvertiserStatus.ACTIVE, CampaignStatus.ACTIVE, DeliveryStatus.ACTIVE, DeliveryStatus.ACTIVE
    )
    assert live is None


def test_schedule_flags_use_the_events_own_time() -> None:
    start, end = NOW, NOW + timedelta(days=1)
    assert schedule_flag(start, end, NOW - timedelta(seconds=1)) is EventFlag.NOT_STARTED
    assert schedule_flag(start, end, end) is EventFlag.ENDED
    assert schedule_flag(start, None, end) is None
