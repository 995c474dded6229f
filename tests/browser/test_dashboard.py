"""The advertiser dashboard in a real browser, on trusted documents only."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select
from sqlalchemy.orm import Session

from ads.api.ids import global_id
from ads.auth.principal import CLI_PRINCIPAL
from ads.auth.roles import Role
from ads.billing.aggregation import aggregate
from ads.campaigns.models import Campaign
from ads.campaigns.service import update_campaign
from ads.config import Settings
from ads.pacing.service import recompute_shard
from ads.time import day_bounds, local_day
from ads.tokens.service import create_token
from tests import factories
from tests.api.documents import document
from tests.billing.fixtures import Send
from tests.browser.conftest import PHONE, Browser

ZONES = ["Pacific/Kiritimati", "Asia/Tokyo", "Europe/Paris", "America/New_York", "Pacific/Honolulu"]
MILLION = 1_000_000


@dataclass
class Shop:
    acme: int
    globex: int
    campaign: int
    ad: int
    rival_campaign: int
    tokens: dict[str, str]


def _daytime_zone(now: datetime) -> str:
    return next(z for z in ZONES if 5 <= now.astimezone(ZoneInfo(z)).hour <= 20)


@pytest.fixture
def shop(session: Session) -> Shop:
    now = datetime.now(UTC)
    acme = factories.advertiser(session, name="Acme", timezone=_daytime_zone(now))
    start = datetime(2024, 1, 1, tzinfo=UTC)
    campaign = factories.campaign(session, acme.id, name="Acme launch", start_at=start)
    ad = factories.ad(session, factories.ad_group(session, campaign.id, name="Broad").id)
    for i in range(11):
        factories.campaign(
            session, acme.id, name=f"Acme {chr(ord('b') + i)}", budget_micros=(20 + i) * MILLION
        )
    globex = factories.advertiser(session, name="Globex", currency="EUR")
    rival = factories.campaign(session, globex.id, name="Globex secret")
    tokens = {
        "ADMIN": create_token(session, role=Role.ADMIN)[1],
        "ADVERTISER": create_token(session, role=Role.ADVERTISER, advertiser_ids=[acme.id])[1],
        "FINANCE": create_token(session, role=Role.FINANCE)[1],
    }
    return Shop(acme.id, globex.id, campaign.id, ad.id, rival.id, tokens)


def _gid(kind: str, pk: int) -> str:
    return global_id(kind, pk)


def test_sign_in_shows_the_advertisers_and_a_bad_token_is_refused(
    browser: Browser, shop: Shop
) -> None:
    browser.expected_errors.append("401")
    browser.sign_in("ads_not_a_real_token")
    browser.wait_text(".sign-in .error", "not accepted")
    browser.wait("#token").send_keys(shop.tokens["ADMIN"])
    browser.wait("#sign-in").click()
    rows = browser.wait("#advertisers tbody") and browser.all("#advertisers tbody tr")
    assert [r.find_element(By.CSS_SELECTOR, "a").text for r in rows] == ["Acme", "Globex"]
    assert browser.wait("#who").text == "ADMIN"
    browser.wait("#sign-out").click()
    browser.wait("#token")
    assert browser.driver.execute_script("return sessionStorage.length") == 0


def test_a_tenant_token_sees_only_its_own_advertiser(browser: Browser, shop: Shop) -> None:
    browser.sign_in(shop.tokens["ADVERTISER"])
    browser.wait("#advertisers tbody a")
    assert [a.text for a in browser.all("#advertisers tbody a")] == ["Acme"]
    browser.go(f"#/advertisers/{_gid('Advertiser', shop.globex)}")
    browser.wait_text(".error", "may not see it")
    browser.go(f"#/campaigns/{_gid('Campaign', shop.rival_campaign)}")
    browser.wait_text(".error", "may not see it")
    assert "Globex secret" not in browser.driver.page_source
    # Finance tabs are FINANCE's and ADMIN's.
    browser.go(f"#/advertisers/{_gid('Advertiser', shop.acme)}")
    browser.wait("#campaigns")
    assert [t.text for t in browser.all(".tabs .tab")] == ["Campaigns"]


LATE_ANSWERS = """
const slow = arguments[0];
const original = window.fetch;
window.lateAnswers = 0;
window.fetch = async (url, options) => {
  const response = await original(url, options);
  if (options && String(options.body).includes(slow)) {
    await new Promise((resolve) => setTimeout(resolve, 1500));
    window.lateAnswers += 1;
  }
  return response;
};
"""


def test_a_page_answered_late_does_not_replace_the_page_moved_to(
    browser: Browser, shop: Shop
) -> None:
    browser.sign_in(shop.tokens["ADVERTISER"])
    browser.wait("#advertisers tbody a")
    browser.driver.execute_script(LATE_ANSWERS, document("Advertisers").id)
    browser.go("#/")  # the advertisers again, answered 1.5 s late...
    browser.go(f"#/campaigns/{_gid('Campaign', shop.campaign)}")  # ...after this one
    browser.wait(".pacing-chart")
    browser.until(lambda driver: driver.execute_script("return window.lateAnswers") >= 1)
    time.sleep(1)  # what the late answer would have drawn, it would have drawn by now
    assert browser.all(".pacing-chart")
    assert not browser.all("#advertisers")


def _names(browser: Browser) -> list[str]:
    return [a.text for a in browser.all("#campaigns tbody td:first-child a")]


def test_the_campaign_list_sorts_and_pages_through_the_connection(
    browser: Browser, shop: Shop
) -> None:
    browser.sign_in(shop.tokens["ADVERTISER"])
    browser.go(f"#/advertisers/{_gid('Advertiser', shop.acme)}?size=10")
    browser.wait_text("#campaign-count", "12 campaign(s)")
    first = _names(browser)
    assert first[:2] == ["Acme launch", "Acme b"]
    assert len(first) == 10
    row = browser.all("#campaigns tbody tr")[0]
    assert "100.00 USD" in row.text
    browser.wait("#next-page").click()
    browser.wait_text("#campaigns tbody", "Acme k")
    assert _names(browser) == ["Acme k", "Acme l"]
    browser.wait("#previous-page").click()
    browser.wait_text("#campaigns tbody", "Acme launch")
    assert _names(browser) == first
    browser.wait("a.sort[data-sort='NAME']").click()  # ascending
    browser.wait("th[aria-sort='ascending']")
    assert _names(browser)[:3] == ["Acme b", "Acme c", "Acme d"]
    browser.wait("a.sort[data-sort='NAME']").click()  # then descending
    browser.wait("th[aria-sort='descending']")
    assert _names(browser)[:2] == ["Acme launch", "Acme l"]
    browser.wait("a.sort[data-sort='BUDGET']").click()
    browser.wait("th[aria-sort='ascending']")
    assert _names(browser)[0] == "Acme b"  # 20.00, the smallest budget


def _spend_today(session: Session, settings: Settings, send: Send, shop: Shop) -> None:
    now = datetime.now(UTC)
    for minutes, cost in ((200, 3), (150, 4), (100, 5), (30, 2)):
        moment = now - timedelta(minutes=minutes)
        send(shop.ad, moment, cost * MILLION, received=moment)
    aggregate(session, now=now - timedelta(minutes=20), settle_seconds=0)
    recompute_shard(session, slot=now.timestamp() // 60 * 60, shard=0, shards=1, settings=settings)


def test_the_campaign_list_shows_spend_pacing_and_throttle_as_the_api_answers(
    browser: Browser, shop: Shop, session: Session, settings: Settings, send: Send
) -> None:
    _spend_today(session, settings, send, shop)
    advertiser = _gid("Advertiser", shop.acme)
    answer = browser.server.graphql(
        shop.tokens["ADVERTISER"],
        {
            "documentId": document("CampaignList").id,
            "variables": {"advertiser": advertiser, "first": 25},
        },
    )["data"]["advertiser"]["campaigns"]["nodes"]
    launch = next(c for c in answer if c["name"] == "Acme launch")
    browser.sign_in(shop.tokens["ADVERTISER"])
    browser.go(f"#/advertisers/{advertiser}")
    row = browser.wait(f"#campaigns tr[data-id='{launch['id']}']")
    cells = {
        td.get_attribute("data-label"): td.text for td in row.find_elements(By.CSS_SELECTOR, "td")
    }
    throttle = launch["pacing"]["throttleRate"]
    assert cells["Spent today"] == "14.00 USD"
    assert cells["Pacing"] == launch["pacing"]["status"].replace("_", " ")
    assert cells["Throttle"] == f"{throttle * 100:.{3 if 0 < throttle < 0.01 else 1}f}%"
    assert cells["Budget"] == "100.00 USD daily"
    assert cells["Ad groups"] == "1"


def test_the_campaign_chart_draws_the_points_the_api_returned(
    browser: Browser, shop: Shop, session: Session, settings: Settings, send: Send
) -> None:
    _spend_today(session, settings, send, shop)
    campaign = _gid("Campaign", shop.campaign)
    browser.sign_in(shop.tokens["ADVERTISER"])
    browser.go(f"#/campaigns/{campaign}")
    drawn_as_of = datetime.fromisoformat(browser.wait(".pacing-chart").get_attribute("data-as-of"))
    drawn_actual = {
        c.get_attribute("data-at"): c.get_attribute("data-micros")
        for c in browser.all(".pacing-chart circle.point.actual")
    }
    drawn_target = {
        c.get_attribute("data-at"): c.get_attribute("data-micros")
        for c in browser.all(".pacing-chart circle.point.target")
    }
    curve_document = document("PacingCurve")
    answer = browser.server.graphql(
        shop.tokens["ADVERTISER"], {"documentId": curve_document.id, "variables": {"id": campaign}}
    )["data"]["campaign"]["pacingCurve"]
    # The API is asked again a moment after the page asked: the hours behind the page's
    # reading are the same in both answers (an hour may have ended in between).
    hours = [
        p
        for p in answer["points"]
        if p["at"].endswith(":00:00Z") and datetime.fromisoformat(p["at"]) <= drawn_as_of
    ]
    assert hours
    assert len(drawn_target) == len(answer["points"]) >= 24
    for point in hours:
        assert drawn_target[point["at"]] == point["target"]["amountMicros"]
        if point["actual"] is not None:
            assert drawn_actual[point["at"]] == point["actual"]["amountMicros"]
    # The page's own reading: the last actual point is the live counter (14.00 spent).
    assert max(int(v) for v in drawn_actual.values()) == 14 * MILLION
    bars = {
        b.get_attribute("data-start"): b.get_attribute("data-micros")
        for b in browser.all(".hourly-chart rect.bar")
    }
    assert len(bars) == len(answer["hourly"])
    assert sum(int(v) for v in bars.values()) == 14 * MILLION
    assert browser.wait("#pacing-status").text in {"PACING", "LIMITED BY BUDGET"}
    assert "of 100.00 USD today" in browser.wait("#projection").text
    browser.wait("#previous-day").click()
    browser.wait_text(
        "#curve-day", str(datetime.fromisoformat(answer["day"]).date() - timedelta(days=1))
    )
    assert browser.all("#next-day")


def _last_day_of_length(tz: ZoneInfo, hours: int) -> date:
    day = local_day(datetime.now(UTC), tz) - timedelta(days=1)
    while True:
        start, end = day_bounds(day, tz)
        if end - start == timedelta(hours=hours):
            return day
        day -= timedelta(days=1)


@pytest.mark.parametrize(("hours", "third_hour"), [(23, "04:00"), (25, "02:00")])
def test_a_daylight_saving_day_is_drawn_as_long_as_it_is(
    browser: Browser, session: Session, hours: int, third_hour: str
) -> None:
    paris = factories.advertiser(session, name="Paris", timezone="Europe/Paris")
    campaign = factories.campaign(
        session, paris.id, name="Paris", start_at=datetime(2024, 1, 1, tzinfo=UTC)
    )
    token = create_token(session, role=Role.ADVERTISER, advertiser_ids=[paris.id])[1]
    day = _last_day_of_length(ZoneInfo("Europe/Paris"), hours)
    browser.sign_in(token)
    browser.go(f"#/campaigns/{_gid('Campaign', campaign.id)}?day={day}")
    browser.wait_text("#curve-day", f"{day} ({hours} h")
    assert browser.wait(".pacing-chart").get_attribute("data-hours") == str(hours)
    assert len(browser.all(".pacing-chart circle.point.target")) == hours + 1
    assert len(browser.all(".hourly-chart rect.bar")) == hours
    # Every third hour is labelled with the local clock: the day's hours as they were.
    labels = [t.text for t in browser.all(".pacing-chart .x-axis text")]
    assert labels[:2] == ["00:00", third_hour]
    assert len(labels) == hours // 3 + 1


def test_a_budget_edit_is_saved_and_shown(browser: Browser, shop: Shop, session: Session) -> None:
    browser.sign_in(shop.tokens["ADVERTISER"])
    browser.go(f"#/campaigns/{_gid('Campaign', shop.campaign)}")
    budget = browser.wait("#budget")
    budget.clear()
    budget.send_keys("150.25")
    Select(browser.wait("#status")).select_by_value("PAUSED")
    browser.wait("#save").click()
    browser.wait_text("#campaign-budget", "150.25 USD")
    assert browser.wait("#campaign-status").text == "PAUSED"
    browser.wait_text("#history", "budgetMicros: 100000000 → 150250000")
    session.expire_all()
    stored = session.get_one(Campaign, shop.campaign)
    assert (stored.budget_micros, stored.status.value, stored.version) == (150_250_000, "PAUSED", 2)


def test_a_stale_edit_shows_the_conflict_and_the_current_values(
    browser: Browser, shop: Shop, session: Session
) -> None:
    browser.sign_in(shop.tokens["ADVERTISER"])
    browser.go(f"#/campaigns/{_gid('Campaign', shop.campaign)}")
    budget = browser.wait("#budget")
    # Someone else changes the campaign while this page is open.
    update_campaign(session, CLI_PRINCIPAL, shop.campaign, {"budget_micros": 222 * MILLION})
    budget.clear()
    budget.send_keys("90")
    browser.wait("#save").click()
    conflict = browser.wait("#conflict")
    assert "not saved" in conflict.text.lower()
    assert browser.wait("#current-budget").text == "222.00 USD"
    assert browser.wait("#current-status").text == "ACTIVE"
    assert browser.wait("#current-version").text == "2"
    session.expire_all()
    assert session.get_one(Campaign, shop.campaign).budget_micros == 222 * MILLION
    browser.wait("#reload").click()
    browser.wait_text("#campaign-budget", "222.00 USD")
    assert browser.wait("#budget").get_attribute("value") == "222.00"


@pytest.mark.parametrize("route", ["advertisers", "campaign"])
def test_pages_fit_a_phone(browser: Browser, shop: Shop, route: str) -> None:
    browser.resize(PHONE)
    browser.sign_in(shop.tokens["ADMIN"])
    if route == "advertisers":
        browser.go(f"#/advertisers/{_gid('Advertiser', shop.acme)}")
        browser.wait("#campaigns tbody tr")
    else:
        browser.go(f"#/campaigns/{_gid('Campaign', shop.campaign)}")
        browser.wait(".pacing-chart")
    assert not browser.overflows_horizontally()
    chart_or_table = browser.all(".pacing-chart") or browser.all("#campaigns")
    assert chart_or_table[0].size["width"] <= PHONE[0]
