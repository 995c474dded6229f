"""Declare every area's actors on a broker; each area adds its module to ACTOR_MODULES.

An actor module provides `declare(broker, settings) -> dict[str, Actor]` and may provide
`periodic(actors, settings) -> list[PeriodicJob]` for the scheduler. Every actor meets
an outage as a quiet retry, logged once per outage (`workers.outages`).
"""

from __future__ import annotations

import importlib

import dramatiq

from ads.config import Settings
from ads.outages import OutageLog
from workers.outages import QuietConsumers, QuietOutages
from workers.scheduler import PeriodicJob

ACTOR_MODULES: tuple[str, ...] = (
    "workers.ingestion",
    "workers.pacing",
    "workers.billing",
    "workers.exports",
)


def declare_actors(broker: dramatiq.Broker, settings: Settings) -> dict[str, dramatiq.Actor]:
    """Create the actors on `broker`; nothing is declared at import time. The outages
    they and the broker's consumers meet are logged in one `OutageLog` per declaration
    (per process)."""
    actors: dict[str, dramatiq.Actor] = {}
    for name in ACTOR_MODULES:
        actors.update(importlib.import_module(name).declare(broker, settings))
    outages = OutageLog()
    QuietOutages(outages).wrap(actors)
    broker.add_middleware(QuietConsumers(outages))
    return actors


def periodic_jobs(actors: dict[str, dramatiq.Actor], settings: Settings) -> list[PeriodicJob]:
    jobs: list[PeriodicJob] = []
    for name in ACTOR_MODULES:
        module = importlib.import_module(name)
        if hasattr(module, "periodic"):
            jobs.extend(module.periodic(actors, settings))
    return jobs
