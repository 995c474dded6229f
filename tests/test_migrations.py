"""Models and migrations agree, and the migrations go up and down, on both databases."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import inspect

from ads.db import make_engine
from ads.schema_version import alembic_config, head_revision
from tests.databases import fresh_postgres_database, settings_for


@pytest.fixture(params=["sqlite", "postgres"])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
    else:
        with fresh_postgres_database() as url:
            yield url


def test_upgrade_check_downgrade_upgrade(empty_url: str) -> None:
    engine = make_engine(settings_for(empty_url))
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "head")
    with engine.begin() as conn:
        command.check(alembic_config(conn))  # raises if models and migrations differ
        assert {
            "advertisers",
            "campaigns",
            "ad_groups",
            "ads",
            "api_tokens",
            "audit_entries",
        } <= set(inspect(conn).get_table_names())
    with engine.begin() as conn:
        command.downgrade(alembic_config(conn), "base")
    with engine.begin() as conn:
        assert set(inspect(conn).get_table_names()) <= {"alembic_version"}
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "head")
        revision = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    assert revision == head_revision()
    engine.dispose()
