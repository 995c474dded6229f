"""The `ads` command end to end, in a subprocess, on a SQLite file."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.command import upgrade as command_upgrade
from sqlalchemy import create_engine, text

from ads.schema_version import alembic_config, head_revision
from tests.databases import redis_server_url

COMMANDS = [
    ["migrate"],
    ["seed"],
    ["token", "create"],
    ["token", "revoke"],
    ["serve"],
    ["worker"],
    ["scheduler"],
]


def _ads(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("ADS_")}
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "ads.cli", *args],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_command_has_help(command: list[str], tmp_path: Path) -> None:
    result = _ads(*command, "--help", cwd=tmp_path)
    assert result.returncode == 0
    assert "usage: ads" in result.stdout


def test_migrate_seed_and_tokens(tmp_path: Path) -> None:
    assert _ads("migrate", cwd=tmp_path).returncode == 0
    assert (tmp_path / "var" / "ads.db").exists()
    seeded = _ads("seed", "--demo", cwd=tmp_path)
    assert seeded.returncode == 0
    assert "Sakura Cosmetics (JPY, Asia/Tokyo)" in seeded.stdout
    assert "already present" in _ads("seed", "--demo", cwd=tmp_path).stdout
    created = _ads("token", "create", "--role", "ADVERTISER", "--advertiser", "2", cwd=tmp_path)
    assert created.returncode == 0
    token = created.stdout.strip().splitlines()[-1]
    assert token.startswith("ads_")
    assert " " not in token
    revoked = _ads("token", "revoke", "1", cwd=tmp_path)
    assert revoked.returncode == 0
    assert "revoked" in revoked.stdout


def test_errors_are_one_clear_line(tmp_path: Path) -> None:
    bad = _ads("migrate", cwd=tmp_path, env={"ADS_ENV": "prod"})
    assert bad.returncode == 2
    assert bad.stderr.strip() == (
        "error: ADS_ENV must be one of development | production, got 'prod'"
    )
    _ads("migrate", cwd=tmp_path)
    refused = _ads("token", "create", "--role", "ADVERTISER", cwd=tmp_path)
    assert refused.returncode == 1
    assert refused.stderr.strip() == "error: an ADVERTISER token needs at least one --advertiser"
    missing = _ads("token", "revoke", "42", cwd=tmp_path)
    assert missing.returncode == 1
    assert "no token with id 42" in missing.stderr


@pytest.mark.parametrize(
    "command",
    [
        ["token", "revoke", "99999999999999999999"],
        ["token", "create", "--role", "ADVERTISER", "--advertiser", "99999999999999999999"],
        [
            "billing",
            "reconcile",
            "--from",
            "2026-11-01",
            "--to",
            "2026-11-30",
            "--advertiser",
            "99999999999999999999",
        ],
    ],
    ids=" ".join,
)
def test_ids_beyond_64_bits_are_one_clear_line(command: list[str], tmp_path: Path) -> None:
    _ads("migrate", cwd=tmp_path)
    result = _ads(*command, cwd=tmp_path)
    assert result.returncode == 2
    (line,) = result.stderr.strip().splitlines()[-1:]
    assert "not an id" in line
    assert "Traceback" not in result.stderr


def test_text_the_database_cannot_store_is_one_clear_line(tmp_path: Path) -> None:
    _ads("migrate", cwd=tmp_path)
    invalid_utf8 = os.fsdecode(b"ops \xff team")  # what argv holds for bytes that are not UTF-8
    result = _ads("token", "create", "--role", "ADMIN", "--name", invalid_utf8, cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip() == "error: text cannot contain an unpaired surrogate"


UNREACHABLE = "postgresql://nobody:secret@127.0.0.1:1/x"
DATABASE_COMMANDS = [
    ["migrate"],
    ["seed", "--demo"],
    ["token", "create", "--role", "ADMIN"],
    ["token", "revoke", "1"],
    ["export", "billing", "--from", "2026-11-01", "--to", "2026-11-30", "--out", "x.csv"],
    ["billing", "reconcile", "--from", "2026-11-01", "--to", "2026-11-30"],
    ["serve", "--port", "1"],
    ["worker"],
]


def _one_line(result: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in result.stderr, result.stderr
    (line,) = result.stderr.strip().splitlines()
    return line


@pytest.mark.parametrize("command", DATABASE_COMMANDS, ids=" ".join)
def test_an_unreachable_database_is_one_line_for_every_command(
    command: list[str], tmp_path: Path
) -> None:
    env = {"ADS_DATABASE_URL": UNREACHABLE, "ADS_BROKER_URL": "redis://127.0.0.1:1/0"}
    result = _ads(*command, cwd=tmp_path, env=env)
    assert result.returncode == 75  # EX_TEMPFAIL: try again later
    line = _one_line(result)
    assert line.startswith("error: cannot reach the database at postgresql://nobody:***@")
    assert "Connection refused" in line
    assert "secret" not in line


@pytest.mark.parametrize("command", DATABASE_COMMANDS[1:], ids=" ".join)
def test_a_schema_behind_the_code_is_one_line_for_every_command(
    command: list[str], tmp_path: Path
) -> None:
    database = tmp_path / "var" / "ads.db"
    database.parent.mkdir()
    engine = create_engine(f"sqlite:///{database}")
    with engine.begin() as connection:
        command_upgrade(alembic_config(connection), "0003")
    engine.dispose()
    result = _ads(*command, cwd=tmp_path, env={"ADS_BROKER_URL": redis_server_url(db=2)})
    assert result.returncode == 78  # EX_CONFIG
    assert _one_line(result) == (
        f"error: the database schema is at 0003, the code expects {head_revision()}: "
        "run `ads migrate`"
    )


def test_a_database_without_a_schema_is_one_line(tmp_path: Path) -> None:
    result = _ads("token", "create", "--role", "ADMIN", cwd=tmp_path)
    assert result.returncode == 78
    assert _one_line(result) == "error: the database has no schema yet: run `ads migrate`"


def test_a_schema_ahead_of_the_code_is_refused_by_migrate_too(tmp_path: Path) -> None:
    _ads("migrate", cwd=tmp_path)
    engine = create_engine(f"sqlite:///{tmp_path / 'var' / 'ads.db'}")
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0099_future'"))
    engine.dispose()
    for command in (["migrate"], ["token", "create", "--role", "ADMIN"]):
        result = _ads(*command, cwd=tmp_path)
        assert result.returncode == 78
        assert "at revision 0099_future, which this code does not know" in _one_line(result)


@pytest.mark.parametrize("command", [["worker"], ["scheduler"]], ids=" ".join)
def test_an_unreachable_broker_is_one_line(command: list[str], tmp_path: Path) -> None:
    _ads("migrate", cwd=tmp_path)
    result = _ads(*command, cwd=tmp_path, env={"ADS_BROKER_URL": "redis://127.0.0.1:1/0"})
    assert result.returncode == 75
    assert _one_line(result).startswith("error: cannot reach the broker at redis://127.0.0.1:1/0")
