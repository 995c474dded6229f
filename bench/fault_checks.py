"""What the fault drill checks afterwards: nothing lost, nothing counted or charged twice.

With SQL on the drill's PostgreSQL database: the events stored are exactly the events
acknowledged; every spend counter (campaign-day, ad-group-day, local hour) and every
hourly aggregate equals a fresh sum of the raw events it stands for; and, with
`ads billing reconcile`, the ledger of every closed day equals its aggregates, which a
charge made twice would break. Each check is a count of rows that disagree (0 passes).
"""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import dataclass
from datetime import date

from sqlalchemy import create_engine, text

EVENTS = """SELECT campaign_id, ad_group_id, local_day, type, cost_micros, occurred_at,
    (occurred_at AT TIME ZONE a.timezone) AS local_time
    FROM delivery_events e JOIN advertisers a ON a.id = e.advertiser_id"""


def _day_spend(key: str, table: str) -> str:
    """Rows of a day-spend counter table that differ from the raw events' sums."""
    return f"""
        WITH e AS ({EVENTS}), raw AS (
            SELECT {key}, local_day AS day, sum(cost_micros) AS spend,
                count(*) FILTER (WHERE type = 'IMPRESSION') AS impressions,
                count(*) FILTER (WHERE type = 'CLICK') AS clicks
            FROM e GROUP BY 1, 2)
        SELECT count(*) FROM raw FULL JOIN {table} c USING ({key}, day)
        WHERE raw.spend IS DISTINCT FROM c.spend_micros
           OR raw.impressions IS DISTINCT FROM c.impressions
           OR raw.clicks IS DISTINCT FROM c.clicks"""


#: name: a query counting the rows where a table disagrees with the raw events.
DISAGREEMENTS = {
    "campaign_day_spend": _day_spend("campaign_id", "campaign_day_spend"),
    "ad_group_day_spend": _day_spend("ad_group_id", "ad_group_day_spend"),
    "campaign_hour_traffic": f"""
        WITH e AS ({EVENTS}), raw AS (
            SELECT campaign_id, local_day AS day, extract(hour FROM local_time)::int AS hour,
                count(*) AS events
            FROM e GROUP BY 1, 2, 3)
        SELECT count(*) FROM raw FULL JOIN campaign_hour_traffic t
            USING (campaign_id, day, hour)
        WHERE raw.events IS DISTINCT FROM t.events""",
    "billing_hourly_delivery": f"""
        WITH e AS ({EVENTS}), raw AS (
            SELECT ad_group_id, date_trunc('hour', occurred_at) AS hour, local_day AS day,
                sum(cost_micros) AS spend, count(*) AS events,
                count(*) FILTER (WHERE type = 'IMPRESSION') AS impressions,
                count(*) FILTER (WHERE type = 'CLICK') AS clicks
            FROM e GROUP BY 1, 2, 3)
        SELECT count(*) FROM raw FULL JOIN billing_hourly_delivery h
            USING (ad_group_id, hour, day)
        WHERE raw.spend IS DISTINCT FROM h.spend_micros
           OR raw.events IS DISTINCT FROM h.events
           OR raw.impressions IS DISTINCT FROM h.impressions
           OR raw.clicks IS DISTINCT FROM h.clicks""",
}


@dataclass(frozen=True)
class Findings:
    stored: int
    acknowledged: int
    lost: int  # acknowledged, not stored
    unacknowledged: int  # stored, never acknowledged
    disagreements: dict[str, int]
    ledger_rows: int
    reconcile: str  # the command's summary line
    reconcile_differences: int

    @property
    def clean(self) -> bool:
        return (
            self.lost == 0
            and self.unacknowledged == 0
            and not any(self.disagreements.values())
            and self.reconcile_differences == 0
            and self.ledger_rows > 0
        )


def check(
    database_url: str, acknowledged: set[str], *, first: date, last: date, env: dict[str, str]
) -> Findings:
    engine = create_engine(database_url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.connect() as connection:
        connection.execute(text("SET TIME ZONE 'UTC'"))  # date_trunc('hour') in UTC
        stored = {
            row[0] for row in connection.execute(text("SELECT event_id FROM delivery_events"))
        }
        disagreements = {
            name: int(connection.execute(text(sql)).scalar_one())
            for name, sql in DISAGREEMENTS.items()
        }
        ledger_rows = int(
            connection.execute(
                text("SELECT count(*) FROM ledger_entries WHERE kind <> 'ADJUSTMENT'")
            ).scalar_one()
        )
    engine.dispose()
    reconcile = subprocess.run(
        [
            sys.executable,
            "-m",
            "ads.cli",
            "billing",
            "reconcile",
            "--from",
            first.isoformat(),
            "--to",
            last.isoformat(),
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    summary = (reconcile.stdout.strip().splitlines() or [reconcile.stderr.strip()])[0]
    found = re.search(r"(\d+) differences", summary)
    return Findings(
        stored=len(stored),
        acknowledged=len(acknowledged),
        lost=len(acknowledged - stored),
        unacknowledged=len(stored - acknowledged),
        disagreements=disagreements,
        ledger_rows=ledger_rows,
        reconcile=summary,
        reconcile_differences=int(found.group(1)) if found else -1,
    )
