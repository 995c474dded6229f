"""GET /metrics: Prometheus text with ingestion counters, pacing gauges and queue depth."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from ads.api.app import create_app
from ads.config import Settings
from ads.pacing.service import recompute_shard
from tests.ingestion.fixtures import Tree, event, service_token, tree

__all__ = ["service_token", "tree"]  # fixtures


def value(text: str, sample: str) -> float:
    for line in text.splitlines():
        if line.startswith(sample + " "):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"{sample} not in metrics")


def test_metrics_count_events_and_show_pacing(
    client: TestClient, session: Session, settings: Settings, tree: Tree, service_token: str
) -> None:
    before = client.get("/metrics").text
    recent = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    batch = [
        event("m1", tree.ad_id, occurredAt=recent),
        event("m1", tree.ad_id, occurredAt=recent),
        event("m2", tree.ad_id, occurredAt=recent, costMicros=-1),
    ]
    client.post("/v1/events", json=batch, headers={"Authorization": f"Bearer {service_token}"})
    recompute_shard(
        session, slot=datetime.now(UTC).timestamp() // 60 * 60, shard=0, shards=1, settings=settings
    )
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    for name, delta in [
        ("ads_events_ingested_total", 1),
        ("ads_events_duplicates_total", 1),
        ('ads_events_rejected_total{reason="NEGATIVE_COST"}', 1),
    ]:
        previous = value(before, name) if name.split("{")[0] in before and name in before else 0
        assert value(text, name) - previous == delta
    live = value(text, 'ads_pacing_campaigns{status="PACING"}') + value(
        text, 'ads_pacing_campaigns{status="LIMITED_BY_BUDGET"}'
    )
    assert live == 1
    assert value(text, 'ads_pacing_shard_last_duration_seconds{shard="0"}') >= 0
    assert value(text, 'ads_queue_messages{queue="pacing"}') == 0
    assert "ads_pacing_shard_duration_seconds_bucket" in text


def test_metrics_want_the_token_when_one_is_set(settings: Settings) -> None:
    token = "scrape-0123456789abcdef"
    with TestClient(create_app(settings.model_copy(update={"metrics_token": token}))) as client:
        for headers in ({}, {"Authorization": "Bearer wrong-0123456789abcdef"},
                        {"Authorization": token}, {"Authorization": f"Basic {token}"}):  # fmt: skip
            refused = client.get("/metrics", headers=headers)
            assert refused.status_code == 401
            assert refused.headers["www-authenticate"] == "Bearer"
            assert refused.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
            assert "ads_pacing_campaigns" not in refused.text
        allowed = client.get("/metrics", headers={"Authorization": f"Bearer {token}"})
        assert allowed.status_code == 200
        assert "ads_pacing_campaigns" in allowed.text


def test_metrics_are_open_without_a_token(client: TestClient) -> None:
    assert client.get("/metrics").status_code == 200
