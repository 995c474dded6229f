"""Process-wide Prometheus metrics, created on first use (never at import time).

Counters live in the process that does the work: ingestion counters in the API process
that took the events, the shard-duration histogram in the process that ran the shard
(the API itself in the embedded mode). `GET /metrics` adds values read at scrape time
from the database and the broker, which hold for the whole deployment.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from prometheus_client import CollectorRegistry, Counter, Histogram


@dataclass(frozen=True)
class ProcessMetrics:
    registry: CollectorRegistry
    events_ingested: Counter
    events_duplicates: Counter
    events_rejected: Counter
    events_flagged: Counter
    shard_seconds: Histogram
    unavailable: Counter


@cache
def process_metrics() -> ProcessMetrics:
    registry = CollectorRegistry(auto_describe=True)
    return ProcessMetrics(
        registry=registry,
        events_ingested=Counter(
            "ads_events_ingested", "Delivery events recorded (new ids).", registry=registry
        ),
        events_duplicates=Counter(
            "ads_events_duplicates",
            "Delivery events ignored because their id was already recorded.",
            registry=registry,
        ),
        events_rejected=Counter(
            "ads_events_rejected",
            "Delivery events refused by validation, by reason.",
            ["reason"],
            registry=registry,
        ),
        events_flagged=Counter(
            "ads_events_flagged",
            "Recorded events whose campaign could not serve (paused, ended, …).",
            registry=registry,
        ),
        shard_seconds=Histogram(
            "ads_pacing_shard_duration_seconds",
            "Time to recompute one pacing shard, in the process that ran it.",
            buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120),
            registry=registry,
        ),
        unavailable=Counter(
            "ads_unavailable_responses",
            "Requests answered 503 because a dependency was unavailable, by dependency.",
            ["dependency"],
            registry=registry,
        ),
    )
