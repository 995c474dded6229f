"""Settings read once from the environment, with safe defaults for the embedded mode.

Each setting is declared once, in `Settings`: its variable, default, bound and description.
The README's Configuration table is that declaration rendered by `documented()` (a test
compares the two).
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from enum import Enum, StrEnum
from pathlib import Path
from typing import Any, Literal, NamedTuple, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)
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

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR"]


class TrafficRegion(NamedTuple):
    """A region ad groups may target: its clock and its share of opportunities."""

    name: str
    timezone: str
    share: float


def parse_traffic_regions(text: str) -> tuple[TrafficRegion, ...]:
    """`name=Area/City:share,...` (shares relative, on any positive scale); "" is none.

    Raises ValueError naming the entry at fault.
    """
    regions: list[TrafficRegion] = []
    for raw in (part.strip() for part in text.split(",")):
        if not raw:
            continue
        name, eq, rest = raw.partition("=")
        zone, colon, share_text = rest.rpartition(":")
        name, zone = name.strip(), zone.strip()
        if not eq or not colon or not name or not zone:
            raise ValueError(f"{raw!r}: expected name=Area/City:share")
        try:
            share = float(share_text)
        except ValueError:
            raise ValueError(f"{raw!r}: the share {share_text.strip()!r} is not a number") from None
        if not math.isfinite(share) or share <= 0:
            raise ValueError(f"{raw!r}: the share must be a positive number")
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{raw!r}: unknown timezone {zone!r}") from None
        if any(r.name == name for r in regions):
            raise ValueError(f"{raw!r}: region {name!r} is named twice")
        regions.append(TrafficRegion(name, zone, share))
    return tuple(regions)


class Settings(BaseSettings):
    """Everything configurable, validated; build it with `Settings.from_env()`.

    Each field's `validation_alias` is its environment variable and its `description` the
    README's wording. `Settings(...)` with field names (tests, tools) reads no environment.
    """

    model_config = SettingsConfigDict(
        frozen=True,
        case_sensitive=True,
        validate_by_name=True,
        validate_by_alias=True,
        extra="forbid",
    )

    database_url: str = Field(
        default=DEFAULT_DATABASE_URL,
        validation_alias="ADS_DATABASE_URL",
        description="`sqlite:///path` or `postgresql://user:pass@host:port/db` (psycopg 3 driver)",
    )
    broker_url: str = Field(
        default=EMBEDDED_BROKER,
        validation_alias="ADS_BROKER_URL",
        description=f"`{EMBEDDED_BROKER}` (in-process broker, workers and scheduler inside "
        "`ads serve`), `redis://…` or `amqp://…`",
    )
    env: Environment = Field(
        default=Environment.DEVELOPMENT,
        validation_alias="ADS_ENV",
        description="`development` or `production` (no introspection by default, no debug "
        "detail in errors)",
    )
    log_level: LogLevel = Field(
        default="INFO",
        validation_alias="ADS_LOG_LEVEL",
        description="`DEBUG`, `INFO`, `WARNING`, `ERROR`",
    )
    introspection: bool = Field(
        default_factory=lambda data: data.get("env") is Environment.DEVELOPMENT,
        validation_alias="ADS_GRAPHQL_INTROSPECTION",
        description="GraphQL introspection switch; off, `/v1/openapi.json` wants a token too",
        # The default as the README says it: it follows ADS_ENV.
        json_schema_extra={"default_text": "on in development, off in production"},
    )
    max_body_bytes: int = Field(
        default=1_048_576,
        ge=1024,
        validation_alias="ADS_MAX_BODY_BYTES",
        description="largest request body accepted (413 beyond)",
    )
    graphql_max_depth: int = Field(
        default=12,
        ge=2,
        validation_alias="ADS_GRAPHQL_MAX_DEPTH",
        description="deepest GraphQL selection accepted",
    )
    graphql_max_cost: int = Field(
        default=5_000,
        ge=10,
        validation_alias="ADS_GRAPHQL_MAX_COST",
        description="most expensive GraphQL query accepted",
    )
    # The limits below are checked before a document is validated, in time linear in its
    # size (see ads/api/document_limits.py): validation itself is not linear.
    graphql_max_body_bytes: int = Field(
        default=131_072,
        ge=1024,
        validation_alias="ADS_GRAPHQL_MAX_BODY_BYTES",
        description="largest `POST /graphql` body, query and variables (413 beyond)",
    )
    graphql_max_tokens: int = Field(
        default=2_000,
        ge=100,
        validation_alias="ADS_GRAPHQL_MAX_TOKENS",
        description="most tokens (and most comments) in a GraphQL document; parsing stops there",
    )
    graphql_max_fields: int = Field(
        default=1_000,
        ge=10,
        validation_alias="ADS_GRAPHQL_MAX_FIELDS",
        description="most fields an operation selects, `__typename` included, counted through "
        "its fragments",
    )
    graphql_max_aliases: int = Field(
        default=50,
        ge=0,
        validation_alias="ADS_GRAPHQL_MAX_ALIASES",
        description="most aliased fields in an operation, `__typename` included",
    )
    graphql_max_repeats: int = Field(
        default=20,
        ge=2,
        validation_alias="ADS_GRAPHQL_MAX_REPEATS",
        description="most fields landing on one response path (the same field selected again, "
        "directly or through fragments)",
    )
    # The dashboard runs on trusted documents alone, so production can close the graph
    # to everything else an advertiser's token might send.
    graphql_trusted_documents_only: bool = Field(
        default=False,
        validation_alias="ADS_GRAPHQL_TRUSTED_DOCUMENTS_ONLY",
        description="when on, ADVERTISER tokens may run only the trusted documents "
        "(`documentId`; ADMIN and FINANCE keep ad-hoc queries)",
        json_schema_extra={"default_text": "off"},
    )
    pacing_tick_seconds: int = Field(
        default=60,
        ge=1,
        validation_alias="ADS_PACING_TICK_SECONDS",
        description="pacing period",
    )
    pacing_shards: int = Field(
        default=8,
        ge=1,
        validation_alias="ADS_PACING_SHARDS",
        description="campaign shards per pacing tick",
    )
    worker_threads: int = Field(
        default=2,
        ge=1,
        validation_alias="ADS_WORKER_THREADS",
        description="Dramatiq worker threads per process",
    )
    # With the event delay, the polling interval is how long spend flows at a published
    # rate before the controller can see and correct it.
    pacing_poll_seconds: int = Field(
        default=60,
        ge=1,
        validation_alias="ADS_PACING_POLL_SECONDS",
        description="how often the ad server polls `/v1/pacing` (part of the guard's refresh "
        "horizon)",
    )
    # A campaign without history is paced on its targeted regions' clocks.
    traffic_regions: str = Field(
        default="",
        validation_alias="ADS_TRAFFIC_REGIONS",
        description="the regions ad groups target in `targeting.regions`, as "
        "`name=Area/City:share,...` (each one's timezone and share of opportunities): a "
        "campaign without traffic history is paced on the mix of its regions' days; unset, "
        "on the default day in its advertiser's timezone",
        json_schema_extra={"default_text": "none"},
    )
    # From the ad server to us: delivery plus batching.
    event_delay_seconds: int = Field(
        default=120,
        ge=0,
        validation_alias="ADS_EVENT_DELAY_SECONDS",
        description="how late events typically reach ingestion (the other part of the horizon)",
    )
    # Unset, /metrics is open, for a scraper on a private network; each scrape runs a few
    # aggregate queries on the database.
    metrics_token: str | None = Field(
        default=None,
        validation_alias="ADS_METRICS_TOKEN",
        description=f"if set ({MIN_SECRET_LENGTH}+ characters), `GET /metrics` wants "
        "`Authorization: Bearer <it>` (Prometheus' `authorization` scrape setting); unset, "
        "it is open",
    )
    event_batch_max: int = Field(
        default=10_000,
        ge=1,
        validation_alias="ADS_EVENT_BATCH_MAX",
        description="most events in one `POST /v1/events` (413 beyond)",
    )
    # Longer than any ingestion transaction stays open (see ads/billing/aggregation.py).
    billing_settle_seconds: int = Field(
        default=120,
        ge=0,
        validation_alias="ADS_BILLING_SETTLE_SECONDS",
        description="aggregation only reads events received at least this long ago",
    )
    # Events arriving later still re-close the day, with corrections.
    billing_late_allowance_seconds: int = Field(
        default=6 * 3600,
        ge=0,
        validation_alias="ADS_BILLING_LATE_ALLOWANCE_SECONDS",
        description="how long after a local day ends it is closed and billed",
    )
    # Older days are left to reconciliation and adjustments.
    billing_reclose_window_days: int = Field(
        default=35,
        ge=1,
        validation_alias="ADS_BILLING_RECLOSE_WINDOW_DAYS",
        description="how far back late events re-close billed days",
    )
    # Raw events are the evidence behind the aggregates; past this, sealed aggregates are.
    event_retention_days: int = Field(
        default=35,
        ge=8,
        validation_alias="ADS_EVENT_RETENTION_DAYS",
        description="how long raw delivery events are kept: older UTC days are dropped "
        "whole once their hours are sealed (reconciliation then checks the aggregates "
        "against the seals); at least 8, beyond every retry ingestion still accepts",
    )
    # Created on first use.
    export_dir: str = Field(
        default="var/exports",
        validation_alias="ADS_EXPORT_DIR",
        description="where billing export files and manifests are written",
    )

    # npm installs GraphiQL there at set-up; a wheel install points it at its own copy.
    explorer_assets_dir: str = Field(
        default_factory=lambda: str(Path(__file__).resolve().parents[1] / "node_modules"),
        validation_alias="ADS_EXPLORER_ASSETS_DIR",
        description="where the `/graphql` explorer's GraphiQL and React files are "
        "(`npm ci` of package.json installs them)",
        json_schema_extra={"default_text": "the checkout's `node_modules`"},
    )

    @field_validator("env", mode="before")
    @classmethod
    def _lower(cls, value: Any) -> Any:
        return value.lower() if isinstance(value, str) else value

    @field_validator("traffic_regions")
    @classmethod
    def _traffic_regions(cls, value: str) -> str:
        parse_traffic_regions(value)
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        return value.upper() if isinstance(value, str) else value

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        try:
            url = make_url(value)
        except ArgumentError:
            raise ValueError(f"is not a database URL: {value!r}") from None
        if url.get_backend_name() not in ("sqlite", "postgresql"):
            raise ValueError(f"must be a sqlite:// or postgresql:// URL, got {url.drivername!r}")
        return value

    @field_validator("broker_url")
    @classmethod
    def _broker_url(cls, value: str) -> str:
        if value == EMBEDDED_BROKER or value.startswith(
            ("redis://", "rediss://", "amqp://", "amqps://")
        ):
            return value
        raise ValueError(f"must be '{EMBEDDED_BROKER}', redis://… or amqp://…, got {value!r}")

    @field_validator("metrics_token", mode="before")
    @classmethod
    def _secret(cls, value: Any) -> Any:
        if value == "":
            return None
        if isinstance(value, str) and (
            len(value) < MIN_SECRET_LENGTH or not value.isprintable() or value.strip() != value
        ):
            raise ValueError(
                f"must be at least {MIN_SECRET_LENGTH} printable characters, "
                "without surrounding spaces"
            )
        return value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Only the values passed in: `from_env` is the one reader of the environment."""
        return (init_settings,)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read `ADS_*` variables; raise SettingsError with one clear line on a bad value."""
        env = os.environ if environ is None else environ
        try:
            return cls(**_MappingSource(cls, env)())
        except ValidationError as error:
            raise SettingsError(_one_line(error, env)) from None

    @property
    def is_production(self) -> bool:
        return self.env is Environment.PRODUCTION

    @property
    def explorer_on(self) -> bool:
        """The `/graphql` explorer is for development, and needs introspection."""
        return self.introspection and not self.is_production

    @property
    def embedded_broker(self) -> bool:
        return self.broker_url == EMBEDDED_BROKER

    @property
    def refresh_horizon_seconds(self) -> int:
        """Event delay plus the ad server's polling interval (the pacing guard's horizon)."""
        return self.event_delay_seconds + self.pacing_poll_seconds

    @property
    def regions(self) -> tuple[TrafficRegion, ...]:
        """The traffic regions targeting may name (`ads.pacing.domain.targeting`)."""
        return parse_traffic_regions(self.traffic_regions)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

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


class _MappingSource(EnvSettingsSource):
    """pydantic-settings' environment source over a given mapping instead of `os.environ`,
    so `Settings.from_env({...})` sees exactly the variables it is given."""

    def __init__(self, settings_cls: type[BaseSettings], environ: Mapping[str, str]) -> None:
        self._environ = environ
        super().__init__(settings_cls)

    # The source's one hook for where variables come from (its dotenv source overrides it
    # too); tests/test_config.py checks that the process environment stays out.
    def _load_env_vars(self) -> Mapping[str, str | None]:
        return dict(self._environ)


def _one_line(error: ValidationError, environ: Mapping[str, str]) -> str:
    """The first problem as `VARIABLE must be …, got '…'`, quoting the raw value."""
    problem = error.errors()[0]
    variable = str(problem["loc"][0]) if problem["loc"] else "settings"
    raw = environ.get(variable, problem["input"])
    kind, context = problem["type"], problem.get("ctx", {})
    if kind.startswith("int_"):
        reason = f"must be an integer, got {raw!r}"
    elif kind == "greater_than_equal":
        reason = f"must be at least {context['ge']}, got {raw}"
    elif kind == "bool_parsing":
        reason = f"must be true or false, got {raw!r}"
    elif kind in ("enum", "literal_error"):
        reason = f"must be one of {' | '.join(_choices(variable))}, got {raw!r}"
    elif kind == "value_error":
        reason = str(context["error"])
    else:
        reason = f"is invalid ({problem['msg']}), got {raw!r}"
    return f"{variable} {reason}".replace("\n", " ")


def _choices(variable: str) -> list[str]:
    (field,) = (f for f in Settings.model_fields.values() if f.validation_alias == variable)
    kind = field.annotation
    if isinstance(kind, type) and issubclass(kind, Enum):
        return [str(member.value) for member in kind]
    return [str(choice) for choice in get_args(kind)]


class SettingDoc(NamedTuple):
    """One row of the README's Configuration table; `minimum` is "" for a setting without one."""

    variable: str
    default: str
    minimum: str
    meaning: str


def documented() -> list[SettingDoc]:
    """Every setting, in declaration order, as the README's Configuration table lists it."""
    rows = []
    for field in Settings.model_fields.values():
        extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
        if "default_text" in extra:
            default = str(extra["default_text"])
        elif field.default is None:
            default = "unset"
        else:
            value = field.default.value if isinstance(field.default, Enum) else field.default
            default = f"`{value}`"
        bounds = [str(b.ge) for b in field.metadata if getattr(b, "ge", None) is not None]
        rows.append(
            SettingDoc(
                str(field.validation_alias), default, "".join(bounds), str(field.description)
            )
        )
    return rows
