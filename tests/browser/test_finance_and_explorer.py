"""FINANCE in the dashboard (invoices, exports), and the /graphql explorer, in a browser."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from selenium.webdriver.support.ui import Select, WebDriverWait
from sqlalchemy.orm import Session

from ads.api.ids import global_id
from ads.auth.roles import Role
from ads.tokens.service import create_token
from tests.billing.fixtures import Send, make_account, run_billing
from tests.browser.conftest import Browser, LiveServerFactory


# A worker moves the export along while the page polls it: a second execution of the
# same query (the executor conformance run) may see the next state.
@pytest.mark.one_execution
def test_finance_sees_invoices_and_downloads_an_export(
    browser: Browser, live_server: LiveServerFactory, session: Session, send: Send, tmp_path: object
) -> None:
    account = make_account(session, budgets=(50_000_000,))
    send(account.ad_ids[0], datetime(2026, 10, 10, 15, tzinfo=UTC), 12_340_000)
    run_billing(session, datetime(2026, 11, 5, tzinfo=UTC))
    token = create_token(session, role=Role.FINANCE)[1]
    # Exports are written by a worker: this server runs the embedded ones.
    browser.server = live_server(embedded_workers=True, export_dir=str(tmp_path))
    browser.sign_in(token)
    advertiser = global_id("Advertiser", account.advertiser_id)
    browser.go(f"#/advertisers/{advertiser}/invoices")
    row = browser.wait_text("#invoices tbody tr", "2026-10")
    assert "12.34 USD" in row.text
    assert "ISSUED" in row.text
    assert "INV-202610-" in row.text
    pdf = row.find_element("css selector", "button.download[data-path$='.pdf']")
    assert pdf.text == "PDF"
    # The page fetches the file with the token and hands it over as a blob: catch it.
    browser.driver.execute_script(
        """
        window.downloaded = [];
        const original = URL.createObjectURL;
        URL.createObjectURL = (blob) => {
          blob.text().then((text) => window.downloaded.push(text));
          return original(blob);
        };
        """
    )
    pdf.click()
    WebDriverWait(browser.driver, 10).until(
        lambda d: d.execute_script("return window.downloaded.length") > 0
    )
    assert browser.driver.execute_script("return window.downloaded.pop()").startswith("%PDF")
    browser.go(f"#/advertisers/{advertiser}/exports")
    form = browser.wait("#export-form")
    for name, value in (("from", "2026-10-01"), ("to", "2026-10-31")):
        field = form.find_element("name", name)
        browser.driver.execute_script("arguments[0].value = arguments[1]", field, value)
    Select(form.find_element("name", "format")).select_by_value("CSV")
    browser.wait("#export").click()
    done = browser.wait("#exports tbody tr[data-status='SUCCEEDED']")
    assert "2026-10-01 → 2026-10-31" in done.text
    done.find_element("css selector", "button.download").click()
    WebDriverWait(browser.driver, 10).until(
        lambda d: d.execute_script("return window.downloaded.length") > 0
    )
    csv = browser.driver.execute_script("return window.downloaded[0]")
    assert "12340000" in csv or "12.34" in csv


def test_the_explorer_works_offline_with_the_token(browser: Browser, session: Session) -> None:
    token = create_token(session, role=Role.ADMIN)[1]
    browser.sign_in(token, path="/graphql")
    browser.wait(".graphiql-execute-button").click()
    result = browser.wait_text(".result-window", '"role": "ADMIN"')
    assert '"advertisers"' in result.text
    scripts = {
        s.get_attribute("src")
        for s in browser.all("script[src]")
        if s.get_attribute("src") is not None
    }
    assert scripts == {
        f"{browser.server.url}/graphql/explorer/{name}"
        for name in (
            "react.production.min.js",
            "react-dom.production.min.js",
            "graphiql.min.js",
            "explorer.js",
        )
    }
