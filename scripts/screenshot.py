"""Take the README's screenshot of the dashboard's campaign page, from a day of real spend.

Seeds a fresh SQLite database with the demo advertisers, sends one campaign a local
day's worth of delivery events up to now through ingestion (the traffic shape of the
default diurnal profile, at 90% of its target curve), aggregates them, runs a pacing
tick, serves the app on a free loopback port and photographs the campaign page in
headless Chromium at laptop width. Run from the repository root:

    .venv/bin/python scripts/screenshot.py [--out docs/dashboard-campaign.png]
"""

from __future__ import annotations

import argparse
import random
import socket
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import uvicorn  # noqa: E402
from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402
from sqlalchemy import select  # noqa: E402

from ads.api.app import create_app  # noqa: E402
from ads.api.ids import global_id  # noqa: E402
from ads.auth.roles import Role  # noqa: E402
from ads.billing.aggregation import aggregate  # noqa: E402
from ads.campaigns.models import Ad, AdGroup, Campaign  # noqa: E402
from ads.config import Settings  # noqa: E402
from ads.db import make_engine, session_factory  # noqa: E402
from ads.demo import seed_demo  # noqa: E402
from ads.ingestion.service import record_events  # noqa: E402
from ads.pacing.domain.curve import target_fraction  # noqa: E402
from ads.pacing.domain.profile import DEFAULT_DIURNAL  # noqa: E402
from ads.pacing.service import recompute_shard  # noqa: E402
from ads.schema_version import upgrade_to_head  # noqa: E402
from ads.time import day_bounds, local_day, zone  # noqa: E402
from ads.tokens.service import create_token  # noqa: E402

CAMPAIGN = "Winter Jackets - Search Retargeting"
PACE = 0.9
COST = 2_500_000


def seed(url: str) -> tuple[str, str]:
    """(campaign global id, ADVERTISER token) after a day of spend up to now."""
    settings = Settings(database_url=url)
    upgrade_to_head(settings)
    engine = make_engine(settings)
    now = datetime.now(UTC)
    with session_factory(engine)() as session:
        seed_demo(session)
        campaign = session.scalars(select(Campaign).where(Campaign.name == CAMPAIGN)).one()
        ad = session.scalars(
            select(Ad).join(AdGroup).where(AdGroup.campaign_id == campaign.id)
        ).first()
        assert ad is not None
        tz = zone("America/New_York")
        start, end = day_bounds(local_day(now, tz), tz)
        rng = random.Random(7)
        events, spent, moment = [], 0, start
        while moment < now - timedelta(minutes=3):
            moment += timedelta(seconds=rng.randint(20, 140))
            fraction = target_fraction(DEFAULT_DIURNAL, start, end, tz, moment)
            if spent + COST <= PACE * fraction * campaign.budget_micros:
                spent += COST
                events.append(
                    {
                        "id": f"shot-{len(events)}",
                        "type": "IMPRESSION",
                        "adId": ad.id,
                        "costMicros": str(COST),
                        "occurredAt": moment.isoformat(),
                    }
                )
        for chunk in range(0, len(events), 500):
            record_events(session, events[chunk : chunk + 500], now=now)
        aggregate(session, now=now + timedelta(seconds=1), settle_seconds=0)
        recompute_shard(
            session, slot=now.timestamp() // 60 * 60, shard=0, shards=1, settings=settings
        )
        token = create_token(session, role=Role.ADVERTISER, advertiser_ids=[campaign.advertiser_id])
        return global_id("Campaign", campaign.id), token[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "dashboard-campaign.png"))
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="ads-shot-"))
    url = f"sqlite:///{workdir / 'ads.db'}"
    campaign, token = seed(url)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(create_app(Settings(database_url=url)), port=port, log_level="warning")
    )
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--hide-scrollbars",
        f"--user-data-dir={workdir / 'profile'}",
        "--window-size=1280,1000",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    try:
        base = f"http://127.0.0.1:{port}/dashboard/"
        driver.get(base)
        driver.execute_script("sessionStorage.setItem('ads.token', arguments[0])", token)
        driver.get(f"{base}#/campaigns/{campaign}")
        WebDriverWait(driver, 20).until(
            lambda d: d.find_elements(By.CSS_SELECTOR, ".pacing-chart circle.actual")
        )
        height = driver.execute_script("return document.documentElement.scrollHeight")
        driver.set_window_size(1280, min(height, 1400))
        time.sleep(0.5)
        driver.save_screenshot(args.out)
        print(f"wrote {args.out}")
    finally:
        driver.quit()
        server.should_exit = True


if __name__ == "__main__":
    main()
