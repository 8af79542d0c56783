"""Browser fixtures: Debian's Chromium driven by Playwright, as a Pixel 5 in French, on the live server.

One Chromium per pytest process, one browser context (a fresh phone: no cookie, no storage) per test.

Sync Playwright marks its own event loop as running in this thread after every call it makes, and
pytest-asyncio refuses to run the suite's loop while another one is marked running. Chromium lives for
the whole session, and the same process goes on to run async fixtures (the in-process app's tests) after
a browser test, so the mark is taken off whenever no browser test runs (`PlaywrightLoop.pause`) and put
back before the next one uses the browser (`resume`).
"""

from __future__ import annotations

import asyncio
import copy

import pytest

from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, Phone
from tests.support.databases import restore_from_thread


def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.fspath) and "test_static_files" not in str(item.fspath):
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.server)


class PlaywrightLoop:
    """Playwright's event loop, marked running only while a browser test uses it."""

    loop: asyncio.AbstractEventLoop | None = None

    @classmethod
    def pause(cls) -> None:
        running = asyncio.events._get_running_loop()
        if running is not None:
            cls.loop = running
        asyncio.events._set_running_loop(None)

    @classmethod
    def resume(cls) -> None:
        if cls.loop is not None:
            asyncio.events._set_running_loop(cls.loop)


@pytest.fixture
def demo(demo_snapshot, database_url):
    """The demo data put back as for every test, from a thread of its own: this one may carry
    Playwright's loop (see the module's docstring)."""
    restore_from_thread(database_url, demo_snapshot.restore_sql)
    return copy.deepcopy(demo_snapshot.ids)


@pytest.fixture(scope="session")
def browser(shared_server, demo_snapshot):
    """Chromium for the session. It asks for the database fixtures first: they are async, and must be
    set up before Playwright starts."""
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (scripts/test installs it)")
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    PlaywrightLoop.pause()
    yield chromium, playwright.devices
    PlaywrightLoop.resume()
    try:
        chromium.close()
    finally:
        playwright.stop()
        asyncio.events._set_running_loop(None)


@pytest.fixture
def phone_factory(browser, live_server):
    browser, devices = browser
    contexts = []
    PlaywrightLoop.resume()

    def make(width: int | None = None, **context_options) -> Phone:
        """`context_options` go to Playwright's new_context (e.g. service_workers="block", so that
        page.route sees every request)."""
        options = dict(devices["Pixel 5"], **context_options)
        if width:
            options["viewport"] = {"width": width, "height": 780}
        context = browser.new_context(**options, locale="fr-FR", timezone_id="Europe/Paris")
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        phone = Phone(page=page, base=live_server)
        page.on("console", lambda message: message.type == "error" and phone.console_errors.append(message.text))
        page.on("pageerror", lambda error: phone.page_errors.append(str(error)))

        def on_dialog(dialog):
            phone.dialogs.append(dialog.message)
            dialog.dismiss()

        page.on("dialog", on_dialog)
        return phone

    try:
        yield make
        for context in contexts:
            context.close()
    finally:
        PlaywrightLoop.pause()


@pytest.fixture
def phone(phone_factory) -> Phone:
    return phone_factory()
