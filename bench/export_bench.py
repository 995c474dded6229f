"""Export 1,000,000 ledger rows to CSV: our streaming writer against PostgreSQL's COPY.

Usage: ADS_BENCH_POSTGRES_URL=postgresql://… .venv/bin/python bench/export_bench.py [--rows N]
(or run it under scripts/with-services, which sets ADS_TEST_POSTGRES_URL).

It creates a throwaway database, migrates it, loads N ledger rows with distinct
(campaign, day) keys so the DAY export has exactly N rows, then runs, each in a fresh
child process so that peak RSS is the run's own:
  * ours: `ads.exports.files.write_export` (the code behind `ads export billing`);
  * copy: `COPY (<the same SELECT>) TO STDOUT WITH (FORMAT csv, HEADER)` into a file.
Our file holds COPY's columns (labelled alike) and the ones derived from them (amounts in
currency units, the invoiced amount, global ids): projected on COPY's columns, both files
must hold the same rows, in the same order.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import platform
import subprocess
import sys
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ads.billing.domain.calendar import Granularity  # noqa: E402
from ads.config import Settings  # noqa: E402
from ads.exports.files import write_export  # noqa: E402
from ads.exports.rows import SELECTED, export_query  # noqa: E402
from ads.exports.rules import ExportFormat, ExportSpec  # noqa: E402
from ads.schema_version import upgrade_to_head  # noqa: E402

START = date(2020, 1, 1)


def spec(rows: int) -> ExportSpec:
    return ExportSpec(START, START + timedelta(days=rows), Granularity.DAY, None)


def load(url: str, rows: int) -> None:
    """One advertiser, 1,000 campaigns, `rows` CHARGE entries with distinct (campaign, day)."""
    import psycopg

    campaigns = 1_000
    days = -(-rows // campaigns)
    with psycopg.connect(url.replace("postgresql+psycopg", "postgresql")) as conn:
        conn.execute(
            "INSERT INTO advertisers (id, name, currency, timezone, status, version, created_at,"
            " updated_at) VALUES (1, 'Bench', 'USD', 'UTC', 'ACTIVE', 1, now(), now())"
        )
        conn.execute(
            "INSERT INTO campaigns (id, advertiser_id, name, objective, status, start_at,"
            " budget_type, budget_micros, pacing_mode, version, created_at, updated_at)"
            " SELECT g, 1, 'c' || g, 'AWARENESS', 'ACTIVE', now(), 'DAILY', 100000000,"
            " 'STANDARD', 1, now(), now() FROM generate_series(1, %s) g",
            (campaigns,),
        )
        conn.execute(
            "INSERT INTO billing_day_closes (id, advertiser_id, day, revision, delivered_micros,"
            " billable_micros, overdelivery_micros, closed_at)"
            " VALUES (1, 1, %s, 1, 0, 0, 0, now())",
            (START,),
        )
        with conn.cursor().copy(
            "COPY ledger_entries (advertiser_id, campaign_id, day, kind, amount_micros, currency,"
            " day_close_id, created_by, created_at) FROM STDIN"
        ) as copy:
            buffer = io.StringIO()
            for i in range(rows):
                campaign, day = i % campaigns + 1, START + timedelta(days=i // campaigns)
                amount = 1_000_000 + (i * 7919) % 99_000_000
                buffer.write(
                    f"1\t{campaign}\t{day}\tCHARGE\t{amount}\tUSD\t1\tbench\t2026-01-01Z\n"
                )
                if buffer.tell() > 1 << 20:
                    copy.write(buffer.getvalue())
                    buffer = io.StringIO()
            copy.write(buffer.getvalue())
        conn.execute("ANALYZE ledger_entries")
    assert days > 0


def same_rows(ours: Path, copy: Path) -> bool:
    """Our file projected on the SELECT's columns is COPY's file, row for row."""
    with ours.open(newline="") as a, copy.open(newline="") as b:
        mine, theirs = csv.reader(a), csv.reader(b)
        header = next(mine)
        if next(theirs) != list(SELECTED):
            return False
        at = [header.index(name) for name in SELECTED]
        for row, other in zip(mine, theirs, strict=True):
            if [row[i] for i in at] != other:
                return False
    return True


def run_ours(url: str, rows: int, out: Path) -> None:
    from ads.db import make_engine

    engine = make_engine(Settings(database_url=url))
    with engine.connect() as connection:
        write_export(connection, spec(rows), ExportFormat.CSV, out)
    engine.dispose()


def run_copy(url: str, rows: int, out: Path) -> None:
    import psycopg

    sql = str(
        export_query(spec(rows), "postgresql").compile(
            dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}
        )
    )
    with (
        psycopg.connect(url.replace("postgresql+psycopg", "postgresql")) as conn,
        out.open("wb") as file,
        conn.cursor().copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv, HEADER)") as copy,
    ):
        for chunk in copy:
            file.write(chunk)


def child(kind: str, url: str, rows: int, out: Path) -> dict[str, float]:
    """Run one side in a fresh process: its run time, and its peak RSS before and after."""
    done = subprocess.run(
        [
            sys.executable,
            __file__,
            "--child",
            kind,
            "--url",
            url,
            "--rows",
            str(rows),
            "--out",
            str(out),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(done.stdout)


def measured(kind: str, url: str, rows: int, out: Path) -> None:
    """In the child: peak RSS after imports, the run, the peak RSS after it (MiB)."""
    import resource

    runs = {"ours": run_ours, "copy": run_copy}
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    runs[kind](url, rows, out)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "seconds": round(seconds, 2),
                "rss_before_mib": round(before, 1),
                "peak_rss_mib": round(after, 1),
                "growth_mib": round(after - before, 1),
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--child")
    parser.add_argument("--url")
    parser.add_argument("--out")
    args = parser.parse_args()
    if args.child:
        measured(args.child, args.url, args.rows, Path(args.out))
        return
    server = os.environ.get("ADS_BENCH_POSTGRES_URL") or os.environ["ADS_TEST_POSTGRES_URL"]
    base = make_url(server).set(drivername="postgresql+psycopg")
    name = f"ads_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = base.set(database=name).render_as_string(hide_password=False)
    try:
        upgrade_to_head(Settings(database_url=url))
        t0 = time.perf_counter()
        load(url, args.rows)
        load_seconds = time.perf_counter() - t0
        out = Path(os.environ.get("TMPDIR", "/tmp")) / name
        out.mkdir()
        ours = child("ours", url, args.rows, out / "ours.csv")
        copy = child("copy", url, args.rows, out / "copy.csv")
        result = {
            "rows": args.rows,
            "load_seconds": round(load_seconds, 1),
            "ours": ours,
            "copy": copy,
            "time_ratio": round(ours["seconds"] / copy["seconds"], 2),
            "same_rows_as_copy": same_rows(out / "ours.csv", out / "copy.csv"),
            "file_mib": round((out / "ours.csv").stat().st_size / 2**20, 1),
            "python": platform.python_version(),
            "machine": f"{platform.machine()} {os.cpu_count()} CPUs, {platform.platform()}",
        }
        print(json.dumps(result, indent=2))
        for f in out.iterdir():
            f.unlink()
        out.rmdir()
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
