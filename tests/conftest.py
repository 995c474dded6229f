"""Fixtures: every database test runs on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from ads.api.app import create_app
from ads.config import Settings
from ads.db import make_engine, session_factory
from ads.schema_version import upgrade_to_head
from tests.api.executor_conformance import fast_executor_conforms
from tests.billing.fixtures import send
from tests.databases import clear_tables, fresh_postgres_database, settings_for

__all__ = ["fast_executor_conforms", "send"]


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
def migrated_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A database migrated to head once per session, for each backend."""
    if request.param == "sqlite":
        path: Path = tmp_path_factory.mktemp("db") / "ads.db"
        url = f"sqlite:///{path}"
        upgrade_to_head(settings_for(url))
        yield url
    else:
        with fresh_postgres_database() as url:
            upgrade_to_head(settings_for(url))
            yield url


@pytest.fixture
def settings(migrated_url: str) -> Settings:
    """Settings on an empty, migrated database (tables cleared before each test)."""
    clear_tables(migrated_url)
    return settings_for(migrated_url)


@pytest.fixture
def session(settings: Settings) -> Iterator[Session]:
    engine = make_engine(settings)
    with session_factory(engine)() as db:
        yield db
    engine.dispose()


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    """Real HTTP requests against the app (lifespan run, no embedded workers)."""
    with TestClient(create_app(settings)) as test_client:
        yield test_client
