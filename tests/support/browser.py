"""Browser helpers for tests/e2e: Debian's Chromium as a Pixel 5 in French, one phone per test, and
what the tests ask of a page (sign in, accessibility findings, scrolling, SQL beside it)."""

from __future__ import annotations

import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.paths import ROOT

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = ROOT / "test-output" / "screenshots"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SERIOUS = {"serious", "critical"}


@dataclass
class Phone:
    """One phone: a page plus what went wrong on it (console errors, uncaught errors, dialogs)."""

    page: object
    base: str
    console_errors: list = field(default_factory=list)
    page_errors: list = field(default_factory=list)
    dialogs: list = field(default_factory=list)

    def goto(self, path: str):
        self.page.goto(self.base + path)
        return self.page

    def shot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(scale="css", path=str(path), full_page=True)
        return path

    def errors(self, allowed_statuses: tuple[int, ...] = ()) -> list[str]:
        """Console errors and uncaught exceptions, except failed requests with an expected status."""
        allowed = [f"status of {status} " for status in allowed_statuses]
        console = [e for e in self.console_errors if not any(a in e for a in allowed)]
        return console + self.page_errors


def sign_in(phone: Phone, login: str, password: str = "fablab-demo") -> None:
    page = phone.goto("/#/login")
    page.get_by_label("Identifiant").fill(login)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_role("heading", name=re.compile("^Bonjour")).wait_for()


def serious_violations(page) -> list[dict]:
    """axe-core's serious and critical findings on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in results.response["violations"] if v["impact"] in SERIOUS
    ]


def draw_signature(page) -> None:
    """A finger's zigzag on the canvas: mouse presses, moves in small steps, releases."""
    canvas = page.locator("canvas.signature-pad")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    x, y = box["x"] + 20, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    for step in range(1, 13):
        page.mouse.move(x + step * (box["width"] - 40) / 12, y + (25 if step % 2 else -25), steps=4)
    page.mouse.up()


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def run_sql(database_url: str, sql: str, *args):
    """One statement on the test database, from a thread: the sync Playwright API already holds
    this thread's event loop."""
    import asyncio
    import threading

    import asyncpg

    result = {}

    async def work():
        connection = await asyncpg.connect(database_url)
        try:
            result["rows"] = await connection.fetch(sql, *args)
        except Exception as error:  # handed back to the test's thread
            result["error"] = error
        finally:
            await connection.close()

    thread = threading.Thread(target=lambda: asyncio.run(work()))
    thread.start()
    thread.join()
    if "error" in result:
        raise result["error"]
    return result["rows"]


@contextmanager
def api_client(base: str, login: str | None = None):
    """A plain HTTP client on the live server, signed in when a login is given."""
    import httpx

    with httpx.Client(base_url=base, timeout=10) as client:
        client.get("/health")
        client.headers["x-csrftoken"] = client.cookies["csrftoken"]
        if login:
            response = client.post("/api/auth/login", json={"login": login, "password": "fablab-demo"})
            assert response.status_code == 200, response.text
        yield client


def next_open_day(client, site: str = "vlg", kind: str = "laptop", after_days: int = 1) -> str:
    """The first day from tomorrow on when the site is open (weekends and public holidays skipped)."""
    from datetime import date, timedelta

    day = date.today() + timedelta(days=after_days)
    for _ in range(14):
        data = client.get("/api/availability", params={"site": site, "kind": kind, "date": day.isoformat()}).json()
        if not data["closed"]:
            return day.isoformat()
        day += timedelta(days=1)
    raise AssertionError("no open day in the next two weeks")
