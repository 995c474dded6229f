"""Settings read once from the environment, with safe defaults for the embedded mode."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TypeVar

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

#: Shortest shared secret accepted from the environment (e.g. `openssl rand -hex 16`).
MIN_SECRET_LENGTH = 16


class SettingsError(ValueError):
    """A setting has a value the system cannot run with; the message is one line."""


class Environment(StrEnum):
    DEVELOPMENT = "development"
    PRODUCTION = "production"


DEFAULT_DATABASE_URL = "sqlite:///var/ads.db"
EMBEDDED_BROKER = "embedded"


@dataclass(frozen=True)
class Settings:
    """Everything configurable, validated; build it with `Settings.from_env()`."""

    database_url: str = DEFAULT_DATABASE_URL
    broker_url: str = EMBEDDED_BROKER
    env: Environment = Environment.DEVELOPMENT
    log_level: str = "INFO"
    introspection: bool = True
    max_body_bytes: int = 1_048_576
    graphql_max_depth: int = 12
    graphql_max_cost: int = 5_000
    pacing_tick_seconds: int = 60
    pacing_shards: int = 8
    worker_threads: int = 2
    #: Billing: how long after the end of an advertiser's local day late events are still
    #: awaited before the day is closed (events arriving later re-close it with corrections).
    billing_late_allowance_seconds: int = 6 * 3600
    #: Billing: aggregation only trusts events received at least this long ago, longer
    #: than any ingestion transaction stays open (see ads/billing/aggregation.py).
    billing_settle_seconds: int = 120
    #: Billing: how many local days back each day-close run re-checks closed days for
    #: late events (older ones are left to reconciliation and adjustments).
    billing_reclose_window_days: int = 35
    #: Where export jobs write their files (created on first use).
    export_dir: str = "var/exports"
    #: Most events in one POST /v1/events batch (more is a 413 with a JSON body).
    event_batch_max: int = 10_000
    #: How long an event usually takes from the ad server to us (delivery plus batching).
    event_delay_seconds: int = 120
    #: How often the ad server polls GET /v1/pacing; with the event delay, this is how
    #: long spend flows at a published rate before the controller can see and correct it.
    pacing_poll_seconds: int = 60
    #: When set, GET /metrics wants `Authorization: Bearer <it>` (Prometheus'
    #: `authorization` scrape setting); unset, it is open, for a scraper on a private
    #: network. Each scrape runs a few aggregate queries on the database.
    metrics_token: str | None = None

    @property
    def is_production(self) -> bool:
        return self.env is Environment.PRODUCTION

    @property
    def embedded_broker(self) -> bool:
        return self.broker_url == EMBEDDED_BROKER

    @property
    def refresh_horizon_seconds(self) -> int:
        """Event delay plus the ad server's polling interval (the pacing guard's horizon)."""
        return self.event_delay_seconds + self.pacing_poll_seconds

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read `ADS_*` variables; raise SettingsError with one clear line on a bad value."""
        env = os.environ if environ is None else environ
        environment = _choice(env, "ADS_ENV", Environment, Environment.DEVELOPMENT)
        return cls(
            database_url=_database_url(env.get("ADS_DATABASE_URL", DEFAULT_DATABASE_URL)),
            broker_url=_broker_url(env.get("ADS_BROKER_URL", EMBEDDED_BROKER)),
            env=environment,
            log_level=_log_level(env.get("ADS_LOG_LEVEL", "INFO")),
            introspection=_bool(
                env, "ADS_GRAPHQL_INTROSPECTION", environment is Environment.DEVELOPMENT
            ),
            max_body_bytes=_int(env, "ADS_MAX_BODY_BYTES", 1_048_576, minimum=1024),
            graphql_max_depth=_int(env, "ADS_GRAPHQL_MAX_DEPTH", 12, minimum=2),
            graphql_max_cost=_int(env, "ADS_GRAPHQL_MAX_COST", 5_000, minimum=10),
            pacing_tick_seconds=_int(env, "ADS_PACING_TICK_SECONDS", 60, minimum=1),
            pacing_shards=_int(env, "ADS_PACING_SHARDS", 8, minimum=1),
            worker_threads=_int(env, "ADS_WORKER_THREADS", 2, minimum=1),
            billing_late_allowance_seconds=_int(
                env, "ADS_BILLING_LATE_ALLOWANCE_SECONDS", 6 * 3600, minimum=0
            ),
            billing_settle_seconds=_int(env, "ADS_BILLING_SETTLE_SECONDS", 120, minimum=0),
            billing_reclose_window_days=_int(env, "ADS_BILLING_RECLOSE_WINDOW_DAYS", 35, minimum=1),
            export_dir=env.get("ADS_EXPORT_DIR", "var/exports"),
            event_batch_max=_int(env, "ADS_EVENT_BATCH_MAX", 10_000, minimum=1),
            event_delay_seconds=_int(env, "ADS_EVENT_DELAY_SECONDS", 120, minimum=0),
            pacing_poll_seconds=_int(env, "ADS_PACING_POLL_SECONDS", 60, minimum=1),
            metrics_token=_secret(env, "ADS_METRICS_TOKEN"),
        )

    def sync_database_url(self) -> str:
        """The URL for synchronous engines (Alembic, workers, CLI)."""
        url = make_url(self.database_url)
        if url.get_backend_name() == "postgresql":
            return url.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
        return url.set(drivername="sqlite+pysqlite").render_as_string(hide_password=False)

    def async_database_url(self) -> str:
        """The URL for the asyncio engine used by the HTTP API."""
        url = make_url(self.database_url)
        if url.get_backend_name() == "postgresql":
            return url.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
        return url.set(drivername="sqlite+aiosqlite").render_as_string(hide_password=False)

    def ensure_sqlite_directory(self) -> None:
        """Create the folder of a SQLite file database (`./var/` by default)."""
        url = make_url(self.database_url)
        if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
            Path(str(url.database)).parent.mkdir(parents=True, exist_ok=True)


def _database_url(value: str) -> str:
    try:
        url = make_url(value)
    except ArgumentError:
        raise SettingsError(f"ADS_DATABASE_URL is not a database URL: {value!r}") from None
    if url.get_backend_name() not in ("sqlite", "postgresql"):
        raise SettingsError(
            f"ADS_DATABASE_URL must be a sqlite:// or postgresql:// URL, got {url.drivername!r}"
        )
    return value


def _broker_url(value: str) -> str:
    if value == EMBEDDED_BROKER or value.startswith(
        ("redis://", "rediss://", "amqp://", "amqps://")
    ):
        return value
    raise SettingsError(f"ADS_BROKER_URL must be 'embedded', redis://… or amqp://…, got {value!r}")


def _log_level(value: str) -> str:
    level = value.upper()
    if level not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        raise SettingsError(f"ADS_LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR, got {value!r}")
    return level


E = TypeVar("E", bound=StrEnum)


def _choice(env: Mapping[str, str], name: str, kind: type[E], default: E) -> E:
    raw = env.get(name)
    if raw is None:
        return default
    try:
        return kind(raw.lower())
    except ValueError:
        allowed = " | ".join(member.value for member in kind)
        raise SettingsError(f"{name} must be one of {allowed}, got {raw!r}") from None


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None:
        return default
    if raw.lower() in ("1", "true", "yes", "on"):
        return True
    if raw.lower() in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"{name} must be true or false, got {raw!r}")


def _secret(env: Mapping[str, str], name: str) -> str | None:
    raw = env.get(name)
    if raw is None or raw == "":
        return None
    if len(raw) < MIN_SECRET_LENGTH or not raw.isprintable() or raw.strip() != raw:
        raise SettingsError(
            f"{name} must be at least {MIN_SECRET_LENGTH} printable characters, "
            "without surrounding spaces"
        )
    return raw


def _int(env: Mapping[str, str], name: str, default: int, *, minimum: int) -> int:
    raw = env.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be an integer, got {raw!r}") from None
    if value < minimum:
        raise SettingsError(f"{name} must be at least {minimum}, got {value}")
    return value
