"""Headless Chromium for the dashboard tests: Debian's ``chromium`` and ``chromium-driver``
driven by Selenium, both named by path so that Selenium Manager never runs (it would try to
download a browser or a driver)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.support.ui import WebDriverWait

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
#: Screenshots of the pages the tests saw (git ignores the folder).
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


def chromium(width: int = 1400, height: int = 2400) -> webdriver.Chrome:
    """A headless Chromium; fails (never skips) when the system browser is missing."""
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    if missing:
        pytest.fail(
            f"the browser tests need Debian's chromium and chromium-driver ({', '.join(missing)} "
            "missing): run `make browser` (apt-get install chromium chromium-driver)"
        )
    os.environ["SE_OFFLINE"] = "true"  # should Selenium Manager ever start: no downloads
    options = Options()
    options.binary_location = str(CHROMIUM)
    for argument in (
        "--headless=new",
        "--no-sandbox",  # CI runs as root
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--no-first-run",
        "--disable-extensions",
        f"--window-size={width},{height}",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)


def wait_for(
    driver: webdriver.Chrome,
    condition: Callable[[webdriver.Chrome], Any],
    what: str,
    timeout: float = 30,
) -> Any:
    """The first true value of ``condition(driver)`` within ``timeout`` seconds."""
    return WebDriverWait(driver, timeout, poll_frequency=0.1).until(
        condition, message=f"the page did not show {what} within {timeout} s"
    )


def js(driver: webdriver.Chrome, script: str, *args: Any) -> Any:
    return driver.execute_script(script, *args)  # pyright: ignore[reportUnknownMemberType]


def text_of(driver: webdriver.Chrome, element_id: str) -> str:
    return str(js(driver, "return document.getElementById(arguments[0]).textContent", element_id))


def finish(driver: webdriver.Chrome, name: str, expected: str | None = None) -> None:
    """Save a screenshot of the page as ``artifacts/<name>.png`` and check that it logged no
    error but those containing ``expected`` (call it while its server still runs)."""
    ARTIFACTS.mkdir(exist_ok=True)
    driver.save_screenshot(str(ARTIFACTS / f"{name}.png"))  # pyright: ignore[reportUnknownMemberType]
    errors = [e["message"] for e in console(driver) if e["level"] == "SEVERE"]
    assert [e for e in errors if expected is None or expected not in e] == [], errors


def console(driver: webdriver.Chrome) -> list[dict[str, Any]]:
    """The browser's console messages since the last call (and empties it)."""
    entries: list[dict[str, Any]] = driver.get_log("browser")  # type: ignore[no-untyped-call]
    return entries
