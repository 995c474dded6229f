"""GET /metrics: Prometheus text, this process's counters plus deployment-wide gauges.

In-process (see `ads.metrics`): events ingested / duplicates / rejected (by reason) /
flagged by this API process, and the shard-duration histogram of shards run in this
process (embedded mode; `ads worker` processes keep their own). Read at scrape time:
campaigns per pacing status (database), each shard's last run duration, lag and age
(database, written by whichever worker ran it), and per queue the messages waiting and
the queue lag, i.e. the age of the oldest waiting message: from Redis (the broker's
list and message hash), from the in-process broker in embedded mode (its size; lag 0,
as its messages carry no enqueue time we can read without consuming), and none for
RabbitMQ (use its own exporter). While the database is down the scrape still answers,
with this process's metrics and `ads_database_up 0` in place of the database's gauges;
`ads_broker_up` says the same of Redis.

Open unless `ADS_METRICS_TOKEN` is set; then a scrape must send it as a bearer token
(compared in constant time), else 401 and no query runs.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import time
from collections.abc import Iterable
from typing import Any

import dramatiq.broker
from dramatiq.brokers.stub import StubBroker
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response

from ads.api.bearer import bearer_token
from ads.api.rest.service_auth import error_response
from ads.config import Settings
from ads.metrics import process_metrics
from ads.outages import Dependency, outage_of
from ads.pacing.domain.controller import PacingStatus
from ads.pacing.models import CampaignPacing, PacingShardRun
from ads.time import utcnow

QUEUES = ("pacing",)


async def get_metrics(request: Request) -> Response:
    settings: Settings = request.app.state.settings
    if settings.metrics_token is not None and not _authorized(request, settings.metrics_token):
        return error_response(401, "UNAUTHENTICATED", "GET /metrics needs its bearer token")
    snapshot = await _database_families(request)
    queues = await _queue_depths(request)
    scrape = CollectorRegistry(auto_describe=False)
    scrape.register(_Snapshot([*snapshot, *queues]))
    body = generate_latest(process_metrics().registry) + generate_latest(scrape)
    return Response(body, media_type=CONTENT_TYPE_LATEST)


def _authorized(request: Request, token: str) -> bool:
    given = bearer_token(request)
    return given is not None and hmac.compare_digest(given.encode(), token.encode())


class _Snapshot:
    """A collector yielding metric families computed before the scrape is rendered."""

    def __init__(self, families: list[Metric]) -> None:
        self.families = families

    def collect(self) -> Iterable[Metric]:
        return self.families


async def _database_families(request: Request) -> list[Metric]:
    """The database's gauges and `ads_database_up` 1; only `ads_database_up` 0 while the
    database is down, so that the scrape still carries this process's own metrics."""
    up = GaugeMetricFamily(
        "ads_database_up", "Whether this scrape could read the database (1) or not (0)."
    )
    try:
        async with request.app.state.sessions() as session:
            families = await session.run_sync(_database_snapshot)
    except Exception as error:
        if outage_of(error) is not Dependency.DATABASE:
            raise
        request.app.state.outages.failed(Dependency.DATABASE, error)
        up.add_metric([], 0)
        return [up]
    up.add_metric([], 1)
    return [up, *families]


def _database_snapshot(session: Session) -> list[Metric]:
    statuses = GaugeMetricFamily(
        "ads_pacing_campaigns", "Campaigns by current pacing status.", labels=["status"]
    )
    counts = dict(
        session.execute(
            select(CampaignPacing.status, func.count()).group_by(CampaignPacing.status)
        ).all()
    )
    for status in PacingStatus:
        statuses.add_metric([status.value], counts.get(status, 0))
    duration = GaugeMetricFamily(
        "ads_pacing_shard_last_duration_seconds",
        "Duration of each shard's last run, whichever worker ran it.",
        labels=["shard"],
    )
    lag = GaugeMetricFamily(
        "ads_pacing_shard_last_lag_seconds",
        "Seconds from the tick's slot to its shard starting (queue lag seen by the tick).",
        labels=["shard"],
    )
    age = GaugeMetricFamily(
        "ads_pacing_shard_last_run_age_seconds",
        "Seconds since each shard last finished (grows when ticks stop).",
        labels=["shard"],
    )
    now = utcnow()
    for run in session.scalars(select(PacingShardRun)):
        duration.add_metric([str(run.shard)], run.duration_seconds)
        lag.add_metric([str(run.shard)], run.lag_seconds)
        age.add_metric([str(run.shard)], (now - run.finished_at).total_seconds())
    session.rollback()
    return [statuses, duration, lag, age]


async def _queue_depths(request: Request) -> list[Metric]:
    settings: Settings = request.app.state.settings
    depth = GaugeMetricFamily(
        "ads_queue_messages", "Messages waiting in each broker queue.", labels=["queue"]
    )
    lag = GaugeMetricFamily(
        "ads_queue_lag_seconds", "Age of the oldest waiting message.", labels=["queue"]
    )
    if settings.embedded_broker:
        broker = dramatiq.broker.global_broker
        queues: dict[str, Any] = broker.queues if isinstance(broker, StubBroker) else {}
        for name in QUEUES:
            queue = queues.get(name)
            depth.add_metric([name], queue.qsize() if queue is not None else 0)
            lag.add_metric([name], 0.0)
    elif settings.broker_url.startswith(("redis://", "rediss://")):
        up = GaugeMetricFamily(
            "ads_broker_up", "Whether this scrape could read the broker's queues (1) or not (0)."
        )
        try:
            found = await asyncio.to_thread(_redis_queues, settings.broker_url)
        except Exception as error:
            if outage_of(error) is not Dependency.BROKER:
                raise
            request.app.state.outages.failed(Dependency.BROKER, error)
            up.add_metric([], 0)
            return [up]
        up.add_metric([], 1)
        for name, waiting, oldest in found:
            depth.add_metric([name], waiting)
            lag.add_metric([name], oldest)
        return [up, depth, lag]
    return [depth, lag]


def _redis_queues(url: str) -> list[tuple[str, int, float]]:
    """Per queue: waiting messages and the oldest one's age (Dramatiq's Redis layout)."""
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
    found = []
    try:
        for name in QUEUES:
            key = f"dramatiq:{name}"
            waiting = int(client.llen(key))
            oldest = 0.0
            first = client.lindex(key, 0)
            if first is not None:
                raw = client.hget(f"{key}.msgs", first)
                if raw is not None:
                    enqueued = json.loads(raw)["message_timestamp"] / 1000
                    oldest = max(0.0, time.time() - enqueued)
            found.append((name, waiting, oldest))
    finally:
        client.close()
    return found
