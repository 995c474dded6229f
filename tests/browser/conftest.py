"""Browser tests: the app served by uvicorn on loopback, driven by headless Chromium.

Debian's `chromium` and `chromium-driver` (scripts/test installs them when missing),
through Selenium pointed at those binaries. The browser resolves no host but
127.0.0.1, and every test checks that it asked for nothing else: what works here
works with no network.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import uvicorn
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait

from ads.api.app import create_app
from ads.config import Settings
from tests.databases import settings_for

CHROMIUM = os.environ.get("ADS_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("ADS_TEST_CHROMEDRIVER", "/usr/bin/chromedriver")
#: Generous: CI machines are shared, and a page waits on a loaded database.
WAIT_SECONDS = 40
PHONE = (390, 844)
LAPTOP = (1280, 900)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class LiveServer:
    url: str
    settings: Settings

    def graphql(self, token: str, body: dict[str, Any]) -> dict[str, Any]:
        response = httpx.post(
            f"{self.url}/graphql", json=body, headers={"Authorization": f"Bearer {token}"}
        )
        assert response.status_code == 200, response.text
        return response.json()  # type: ignore[no-any-return]


@contextmanager
def _serving(settings: Settings, *, embedded_workers: bool) -> Iterator[LiveServer]:
    port = _free_port()
    config = uvicorn.Config(
        create_app(settings, embedded_workers=embedded_workers),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        lifespan="on",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="live-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + WAIT_SECONDS
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the live server did not start")
        time.sleep(0.05)
    try:
        yield LiveServer(f"http://127.0.0.1:{port}", settings)
    finally:
        server.should_exit = True
        thread.join(timeout=WAIT_SECONDS)


LiveServerFactory = Callable[..., Any]


@pytest.fixture
def live_server(settings: Settings) -> Iterator[LiveServerFactory]:
    """`live_server(**settings)`: the app on a free loopback port, trusted documents only
    (the dashboard must work with nothing else), stopped after the test."""
    stack: list[Any] = []

    def start(*, embedded_workers: bool = False, **overrides: Any) -> LiveServer:
        values = {"graphql_trusted_documents_only": True, **overrides}
        serving = _serving(
            settings_for(settings.database_url, **values), embedded_workers=embedded_workers
        )
        stack.append(serving)
        return serving.__enter__()

    yield start
    while stack:
        stack.pop().__exit__(None, None, None)


def _require(path: str, package: str) -> None:
    if shutil.which(path) is None:
        raise RuntimeError(
            f"{path} is missing: run the suite with scripts/test (it installs {package}) "
            "or set ADS_TEST_CHROMIUM / ADS_TEST_CHROMEDRIVER"
        )


@pytest.fixture(scope="session")
def chromium() -> Iterator[WebDriver]:
    """One headless Chromium for the session, closed off from every host but loopback."""
    _require(CHROMIUM, "chromium")
    _require(CHROMEDRIVER, "chromium-driver")
    profile = tempfile.mkdtemp(prefix="ads-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--no-default-browser-check",
        f"--user-data-dir={profile}",
        f"--window-size={LAPTOP[0]},{LAPTOP[1]}",
        "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@dataclass
class Browser:
    """The session's Chromium, reset for one test, with the steps the tests share."""

    driver: WebDriver
    server: LiveServer
    #: Console errors a test provokes on purpose (a refused token's 401), by substring.
    expected_errors: list[str] = field(default_factory=list)

    def open(self, path: str) -> None:
        self.driver.get(f"{self.server.url}{path}")

    def wait(self, css: str) -> WebElement:
        def found(driver: WebDriver) -> WebElement | bool:
            elements = driver.find_elements(By.CSS_SELECTOR, css)
            return elements[0] if elements and elements[0].is_displayed() else False

        return self.until(found)  # type: ignore[no-any-return]

    def until(self, condition: Callable[[WebDriver], Any]) -> Any:
        """Wait for the condition; elements replaced by a re-render are looked up again."""
        waiting = WebDriverWait(
            self.driver, WAIT_SECONDS, ignored_exceptions=(StaleElementReferenceException,)
        )
        try:
            return waiting.until(condition)
        except TimeoutException:
            shown = self.driver.execute_script(
                "return (document.getElementById('app') || document.body).innerText"
            )
            message = f"waited {WAIT_SECONDS} s; the page shows: {shown[:600]}"
            raise TimeoutException(message) from None

    def wait_text(self, css: str, text: str) -> WebElement:
        def found(driver: WebDriver) -> WebElement | bool:
            for element in driver.find_elements(By.CSS_SELECTOR, css):
                if text in element.text:
                    return element
            return False

        return self.until(found)  # type: ignore[no-any-return]

    def all(self, css: str) -> list[WebElement]:
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def sign_in(self, token: str, path: str = "/dashboard/") -> None:
        self.open(path)
        self.wait("#token").send_keys(token)
        self.wait("#sign-in").click()

    def go(self, fragment: str) -> None:
        self.driver.execute_script("window.location.hash = arguments[0]", fragment)

    def resize(self, size: tuple[int, int]) -> None:
        self.driver.set_window_size(*size)

    def overflows_horizontally(self) -> bool:
        return bool(
            self.driver.execute_script(
                "return document.documentElement.scrollWidth > window.innerWidth + 1"
            )
        )

    def requested_urls(self) -> list[str]:
        """Every URL the browser asked for since the last call (performance log)."""
        urls = []
        for entry in self.driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            if message.get("method") == "Network.requestWillBeSent":
                urls.append(message["params"]["request"]["url"])
        return urls

    def console_errors(self) -> list[str]:
        return [e["message"] for e in self.driver.get_log("browser") if e["level"] == "SEVERE"]


@pytest.fixture
def browser(chromium: WebDriver, live_server: LiveServerFactory) -> Iterator[Browser]:
    """The browser against a fresh live server (trusted documents only), at laptop width;
    the test fails if the page fetched anything off loopback or logged an error."""
    server = live_server()
    chromium.set_window_size(*LAPTOP)
    chromium.get(f"{server.url}/dashboard/documents.json")
    chromium.execute_script("window.sessionStorage.clear()")
    chromium.get_log("performance")
    chromium.get_log("browser")
    state = Browser(chromium, server)
    yield state
    elsewhere = [
        url
        for url in state.requested_urls()
        if not url.startswith(("http://127.0.0.1:", "data:", "blob:"))
    ]
    assert not elsewhere, f"the page asked for more than loopback: {elsewhere}"
    errors = [e for e in state.console_errors() if not any(x in e for x in state.expected_errors)]
    assert not errors, f"the page logged errors: {errors}"
