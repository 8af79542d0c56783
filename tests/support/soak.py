"""Mixed realistic traffic against a running server, an optional database outage, and the verdict.

Actors are bounded loops on one asyncio event loop (httpx, loopback only, 5 s client timeout):
learners look at availability, book what is free, list and cancel their bookings and open tags;
staff list their site's bookings, check items out and in; calendar apps poll feeds with
If-None-Match; an anonymous visitor opens tags. Every request is recorded (op, start, end, status,
problem code) and judged afterwards against the outage's timeline.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

import asyncpg
import httpx

from fablab.invariants import CHECKS, InvariantResult
from fablab.seed import DEMO_PASSWORD

CLIENT_TIMEOUT_S = 5.0
RECOVERY_LIMIT_S = 5.0
SITES = ("vlg", "pfs", "pan")


@dataclass
class Call:
    op: str
    started: float
    ended: float
    status: int | str  # an HTTP status, or "timeout" / the transport error's name
    code: str | None = None
    problem: bool = False


@dataclass
class Timeline:
    outage_started: float | None = None
    database_back: float | None = None
    recovered: float | None = None

    @property
    def recovery_s(self) -> float | None:
        if self.database_back is None or self.recovered is None:
            return None
        return self.recovered - self.database_back


@dataclass
class SoakReport:
    calls: list[Call]
    timeline: Timeline
    seconds: float
    invariants: list[InvariantResult] = field(default_factory=list)
    fault: bool = False

    def during_outage(self, call: Call) -> bool:
        """Whether the call may have met the outage: it ended after the stop began and started
        before the database had been back for RECOVERY_LIMIT_S."""
        t = self.timeline
        if t.outage_started is None or call.ended < t.outage_started:
            return False
        return t.database_back is None or call.started <= t.database_back + RECOVERY_LIMIT_S

    def failures(self) -> list[str]:
        problems = []
        unexpected = Counter()
        for call in self.calls:
            if isinstance(call.status, str):
                unexpected[f"{call.op}: no answer ({call.status})"] += 1
            elif call.status == 503 and self.fault and self.during_outage(call):
                if not call.problem and call.op != "health":
                    unexpected[f"{call.op}: 503 that is not a problem response"] += 1
            elif call.status >= 500:
                unexpected[f"{call.op}: {call.status} {call.code or ''}".strip()] += 1
            if not isinstance(call.status, str) and call.ended - call.started > CLIENT_TIMEOUT_S:
                unexpected[f"{call.op}: answered after more than {CLIENT_TIMEOUT_S:.0f} s"] += 1
        problems += [f"{what} × {n}" for what, n in unexpected.most_common()]
        if self.fault:
            t = self.timeline
            if t.outage_started is None or t.database_back is None:
                problems.append("the outage did not happen")
            elif t.recovery_s is None:
                problems.append("the app did not recover after the database came back")
            elif t.recovery_s > RECOVERY_LIMIT_S:
                problems.append(f"recovery took {t.recovery_s:.1f} s (limit {RECOVERY_LIMIT_S:.0f} s)")
            if not any(c.status == 503 for c in self.calls if self.during_outage(c)):
                problems.append("no request met the outage (no 503 seen)")
        problems += [f"invariant broken: {r.name}: {r.violations[:3]}" for r in self.invariants if not r.holds]
        if not self.invariants:
            problems.append("the invariant audit did not run")
        return problems

    def print(self) -> None:
        ops = Counter(call.op for call in self.calls)
        statuses = Counter(str(call.status) for call in self.calls)
        print(f"\n{len(self.calls):,} requests in {self.seconds:.0f} s ({len(self.calls) / max(self.seconds, 1e-9):,.0f}/s)")
        print("operations: " + ", ".join(f"{op} {n:,}" for op, n in sorted(ops.items())))
        print("responses by status: " + ", ".join(f"{s} {n:,}" for s, n in sorted(statuses.items())))
        codes = Counter(f"{c.status} {c.code}" for c in self.calls if c.code and not isinstance(c.status, str))
        if codes:
            print("problem codes: " + ", ".join(f"{k} ×{n}" for k, n in codes.most_common(15)))
        if self.fault:
            t = self.timeline
            met = [c for c in self.calls if self.during_outage(c)]
            print(f"outage: {len(met):,} requests met it: "
                  + ", ".join(f"{s} {n:,}" for s, n in sorted(Counter(str(c.status) for c in met).items())))
            slowest = max((c.ended - c.started for c in met), default=0)
            print(f"slowest answer during the outage: {slowest:.2f} s; "
                  f"recovery after the database came back: "
                  + (f"{t.recovery_s:.2f} s" if t.recovery_s is not None else "never"))
        for result in self.invariants:
            print(f"invariant {'ok  ' if result.holds else 'FAIL'} {result.name}"
                  + ("" if result.holds else f": {result.violations[:3]}"))


class Traffic:
    def __init__(self, base: str, deadline: float, seed: int, think_s: float) -> None:
        self.base, self.deadline, self.think_s = base, deadline, think_s
        self.rng = random.Random(seed)
        self.calls: list[Call] = []
        self.tags: dict[str, list[str]] = {}

    def running(self) -> bool:
        return time.monotonic() < self.deadline

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=self.base, timeout=CLIENT_TIMEOUT_S,
                                 limits=httpx.Limits(max_connections=2))

    async def call(self, client: httpx.AsyncClient, op: str, method: str, path: str, **kwargs) -> httpx.Response | None:
        started = time.monotonic()
        try:
            response = await client.request(method, path, **kwargs)
        except httpx.TimeoutException:
            self.calls.append(Call(op, started, time.monotonic(), "timeout"))
            return None
        except httpx.TransportError as error:
            self.calls.append(Call(op, started, time.monotonic(), type(error).__name__))
            await asyncio.sleep(0.2)
            return None
        code, problem = None, response.headers.get("content-type", "").startswith("application/problem+json")
        if problem:
            try:
                code = response.json().get("code")
            except ValueError:
                problem = False
        self.calls.append(Call(op, started, time.monotonic(), response.status_code, code, problem))
        return response

    async def think(self) -> None:
        await asyncio.sleep(self.rng.uniform(0.2, 1.0) * self.think_s)

    async def sign_in(self, client: httpx.AsyncClient, login: str) -> bool:
        await self.call(client, "health", "GET", "/health")
        token = client.cookies.get("csrftoken")
        if token:
            client.headers["x-csrftoken"] = token
        response = await self.call(client, "login", "POST", "/api/auth/login",
                                   json={"login": login, "password": DEMO_PASSWORD})
        return response is not None and response.status_code == 200

    async def load_tags(self) -> None:
        async with self.client() as client:
            await self.sign_in(client, "staff.vlg")
            response = await client.get("/api/resources")
            for item in response.json():
                self.tags.setdefault(item["site"], []).append(item["tag"])

    def days_ahead(self) -> str:
        day = date.today() + timedelta(days=self.rng.randint(1, 12))
        while day.weekday() >= 5:
            day += timedelta(days=1)
        return day.isoformat()

    async def signed_in(self, login: str) -> httpx.AsyncClient:
        """A client with a session; sign-ins happen one after the other before the traffic starts,
        as people arrive over time rather than all in the same millisecond (argon2 is costly)."""
        client = self.client()
        for _ in range(5):
            if await self.sign_in(client, login):
                return client
            await asyncio.sleep(0.5)
        raise RuntimeError(f"{login} could not sign in")

    async def learner(self, client: httpx.AsyncClient, login: str, site: str) -> None:
        async with contextlib.aclosing(client):
            while self.running():
                kind = self.rng.choice(("room", "room", "room", "printer_3d", "laptop"))
                response = await self.call(client, "availability", "GET", "/api/availability",
                                           params={"site": site, "kind": kind, "date": self.days_ahead()})
                if response is not None and response.status_code == 200:
                    free = [slot for slot in response.json().get("slots", []) if slot.get("free")]
                    if free:
                        slot = self.rng.choice(free)
                        await self.call(client, "book", "POST", "/api/bookings", json={
                            "site": site, "kind": kind, "starts_at": slot["starts_at"], "ends_at": slot["ends_at"],
                            "purpose": "Soak"})
                await self.think()
                if self.rng.random() < 0.4:
                    response = await self.call(client, "my bookings", "GET", "/api/bookings", params={"mine": "true"})
                    if response is not None and response.status_code == 200:
                        mine = [b for b in response.json() if b.get("status") == "confirmed"]
                        if len(mine) > 1 or (mine and self.rng.random() < 0.3):
                            booking = self.rng.choice(mine)
                            await self.call(client, "cancel", "POST", f"/api/bookings/{booking['id']}/cancel")
                if self.rng.random() < 0.3 and self.tags.get(site):
                    await self.call(client, "tag", "GET", f"/api/tags/{self.rng.choice(self.tags[site])}")
                if response is not None and response.status_code == 401:
                    await self.sign_in(client, login)
                await self.think()

    async def staff(self, client: httpx.AsyncClient, site: str) -> None:
        async with contextlib.aclosing(client):
            while self.running():
                response = await self.call(client, "site bookings", "GET", "/api/bookings", params={"site": site})
                if response is not None and response.status_code == 200:
                    soon = [b for b in response.json() if b.get("status") == "confirmed"][:5]
                    if soon:
                        booking = self.rng.choice(soon)
                        await self.call(client, "check out", "POST", "/api/checkouts",
                                        json={"tag": booking["resource"], "booking": booking["id"]})
                await self.think()
                response = await self.call(client, "open checkouts", "GET", "/api/checkouts", params={"site": site})
                if response is not None and response.status_code == 200 and response.json():
                    if self.rng.random() < 0.7:
                        item = self.rng.choice(response.json())
                        tag = item.get("resource") or item.get("tag")
                        await self.call(client, "check in", "POST", "/api/checkins",
                                        json={"tag": tag, "condition": "ok"})
                if self.rng.random() < 0.2 and self.tags.get(site):
                    # A walk-up: refused outside opening hours (422), which is fine. Staff lend to
                    # the learners of their site (demo: 1-10 at vlg, 11-20 at pfs, 21-30 at pan).
                    first = 1 + 10 * SITES.index(site)
                    await self.call(client, "walk-up", "POST", "/api/checkouts", json={
                        "tag": self.rng.choice(self.tags[site]), "user": f"learner{self.rng.randint(first, first + 9)}"})
                await self.think()

    async def calendar_app(self, site: str) -> None:
        etags: dict[str, str] = {}
        async with self.client() as client:
            while self.running():
                path = self.rng.choice([f"/cal/sites/{site}.ics", f"/cal/sites/{site}.ics?kind=room"]
                                       + [f"/cal/resources/{t}.ics" for t in self.tags.get(site, [])[:3]])
                headers = {"If-None-Match": etags[path]} if path in etags else {}
                response = await self.call(client, "feed", "GET", path, headers=headers)
                if response is not None and response.status_code == 200 and "etag" in response.headers:
                    etags[path] = response.headers["etag"]
                await self.think()

    async def visitor(self) -> None:
        async with self.client() as client:
            while self.running():
                site = self.rng.choice(SITES)
                if self.tags.get(site):
                    await self.call(client, "tag (anonymous)", "GET", f"/api/tags/{self.rng.choice(self.tags[site])}")
                await self.call(client, "sites", "GET", "/api/sites")
                await self.think()


async def audit(database_url: str) -> list[InvariantResult]:
    """fablab.invariants' checks on a connection of our own (a caller's pool is left alone)."""
    connection = await asyncpg.connect(database_url, timeout=10)
    try:
        return [InvariantResult(name, [dict(r) for r in await connection.fetch(sql)]) for name, sql in CHECKS.items()]
    finally:
        await connection.close()


async def outage(scratch, at_s: float, down_s: float, base: str, timeline: Timeline) -> None:
    """Stop PostgreSQL `at_s` seconds in, start it again `down_s` later on the same port, and
    time until /health answers 200 again."""
    await asyncio.sleep(at_s)
    timeline.outage_started = time.monotonic()
    await asyncio.to_thread(scratch.stop_server)
    await asyncio.sleep(down_s)
    await asyncio.to_thread(scratch.start_server)
    timeline.database_back = time.monotonic()
    async with httpx.AsyncClient(base_url=base, timeout=CLIENT_TIMEOUT_S) as client:
        while time.monotonic() - timeline.database_back < 30:
            try:
                if (await client.get("/health")).status_code == 200:
                    timeline.recovered = time.monotonic()
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.1)


async def soak(base: str, database_url: str, *, seconds: float, scratch=None, fault_at: float | None = None,
               down_s: float = 3.0, learners: int = 9, think_s: float = 0.05, seed: int = 2026) -> SoakReport:
    """Run the traffic for `seconds` (with an outage `fault_at` seconds in when given), then audit."""
    traffic = Traffic(base, time.monotonic() + 3600, seed, think_s)
    await traffic.load_tags()
    people = [(f"learner{1 + (n % 3) * 10 + n // 3}", SITES[n % 3]) for n in range(learners)]
    clients = [await traffic.signed_in(login) for login, _ in people]
    staff_clients = [await traffic.signed_in(f"staff.{site}") for site in SITES]
    traffic.calls.clear()  # the verdict is on the traffic, the sign-ins were only its set-up
    started = time.monotonic()
    traffic.deadline = started + seconds
    timeline = Timeline()
    actors = [traffic.learner(client, login, site) for client, (login, site) in zip(clients, people)]
    actors += [traffic.staff(client, site) for client, site in zip(staff_clients, SITES)]
    actors += [traffic.calendar_app(site) for site in SITES[:2]]
    actors.append(traffic.visitor())
    if fault_at is not None:
        actors.append(outage(scratch, fault_at, down_s, base, timeline))
    await asyncio.gather(*actors)
    report = SoakReport(traffic.calls, timeline, time.monotonic() - started, fault=fault_at is not None)
    report.invariants = await audit(database_url)
    return report


def error_blocks(log: str) -> list[str]:
    """The server's ERROR entries with their tracebacks (warnings, e.g. each 503, left out)."""
    blocks, current = [], None
    for line in log.splitlines():
        if line.startswith(("ERROR", "CRITICAL")):
            current = [line]
            blocks.append(current)
        elif line.startswith(("WARNING", "INFO", "DEBUG")):
            current = None
        elif current is not None:
            current.append(line)
    return ["\n".join(block) for block in blocks]


def unhandled_errors(server_log: str) -> list[str]:
    """For each request that ended in a 500, the exception line that closes its traceback."""
    causes = []
    for block in error_blocks(server_log):
        if "unhandled error on" in block.splitlines()[0]:
            lines = [line for line in block.splitlines() if re.match(r"^[\w.]+(Error|Exception)\b", line)]
            causes.append(lines[-1] if lines else block.splitlines()[0])
    return causes
