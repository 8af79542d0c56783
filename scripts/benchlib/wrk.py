"""Drive `wrk` (Debian's package, installed quietly when missing) with generated Lua scenarios.

Every scenario shares one Lua tail: it counts responses by status in each thread and, when the
run ends, prints one `WRK_JSON {...}` line with the totals and the latency percentiles, which
run() parses. Scenarios only define `request()` from the data tables they are given.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field

COMMON_LUA = r"""
statuses = {}
samples = {}
etag_changes = 0
local last_etag = nil
local all_threads = {}
function setup(thread)
  thread:set("thread_index", #all_threads)
  table.insert(all_threads, thread)
end
counter = 0
function next_index()
  local i = thread_index + counter * thread_count
  counter = counter + 1
  return i
end
function response(status, headers, body)
  local key = tostring(status)
  statuses[key] = (statuses[key] or 0) + 1
  if (status < 200 or status >= 400) and samples[key] == nil then
    samples[key] = string.sub(string.gsub(body or "", '[%c"\\]', " "), 1, 300)
  end
  local etag = headers["ETag"] or headers["etag"]
  if etag ~= nil and status == 200 then
    if etag ~= last_etag then etag_changes = etag_changes + 1 end
    last_etag = etag
  end
  if on_response ~= nil then on_response(status) end
end
function done(summary, latency, requests)
  local totals, changes, bodies = {}, 0, {}
  for _, t in ipairs(all_threads) do
    for k, v in pairs(t:get("statuses")) do totals[k] = (totals[k] or 0) + v end
    for k, v in pairs(t:get("samples")) do bodies[k] = v end
    changes = changes + t:get("etag_changes")
  end
  local parts, body_parts = {}, {}
  for k, v in pairs(totals) do table.insert(parts, string.format('"%s":%d', k, v)) end
  for k, v in pairs(bodies) do table.insert(body_parts, string.format('"%s":"%s"', k, v)) end
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests":%d,"duration_us":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,'
    .. '"etag_changes":%d,"errors":{"connect":%d,"read":%d,"write":%d,"timeout":%d},"statuses":{%s},'
    .. '"samples":{%s}}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, changes, e.connect, e.read, e.write, e.timeout,
    table.concat(parts, ","), table.concat(body_parts, ",")))
end
"""


def lua_string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string literal is a Lua one (no \u escapes)


def lua_table(values) -> str:
    parts = []
    for value in values:
        if isinstance(value, (list, tuple)):
            parts.append(lua_table(value))
        elif isinstance(value, str):
            parts.append(lua_string(value))
        else:
            parts.append(str(value))
    return "{" + ",".join(parts) + "}"


def header_lines(headers: dict[str, str]) -> str:
    return "{" + ",".join(f"[{lua_string(k)}]={lua_string(v)}" for k, v in headers.items()) + "}"


def rotating_get(paths: list[str], headers_per_request: list[dict[str, str]] | None = None) -> str:
    """GET the paths in turn; each request takes the next header set too (e.g. another learner's cookie)."""
    headers_per_request = headers_per_request or [{}]
    return f"""
paths = {lua_table(paths)}
header_sets = {{{",".join(header_lines(h) for h in headers_per_request)}}}
function request()
  local i = next_index()
  return wrk.format("GET", paths[1 + i % #paths], header_sets[1 + i % #header_sets])
end
"""


def create_bookings(rooms: list[tuple[str, list[dict[str, str]]]], slots: list[tuple[str, str]]) -> str:
    """POST /api/bookings with a distinct (room, slot) per request: room varies fastest; each room's
    successive slots are booked by its site's learners in turn (rooms[i] = tag, their header sets)."""
    return f"""
rooms = {{{",".join("{" + lua_string(tag) + ",{" + ",".join(header_lines(h) for h in hs) + "}}" for tag, hs in rooms)}}}
slots = {lua_table(slots)}
function request()
  local i = next_index()
  local room = rooms[1 + i % #rooms]
  local turn = math.floor(i / #rooms)
  local slot = slots[1 + turn % #slots]
  local body = string.format('{{"resource":"%s","starts_at":"%s","ends_at":"%s","purpose":"banc d\\'essai"}}',
                             room[1], slot[1], slot[2])
  return wrk.format("POST", "/api/bookings", room[2][1 + turn % #room[2]], body)
end
"""


def desk_pairs(desks: list[tuple[str, list[int]]], headers: dict[str, str]) -> str:
    """Each thread owns one desk item and its chain of bookings: check out the next one, check it in.

    What comes next follows the answers, not a counter: wrk may regenerate a request it could not
    send (a reconnection), and a counter would then check in what was never checked out.
    """
    return f"""
desks = {lua_table([[tag, ids] for tag, ids in desks])}
headers = {header_lines(headers)}
item_out, position, last = false, 1, nil
function request()
  local desk = desks[1 + thread_index % #desks]
  if item_out then
    last = "in"
    return wrk.format("POST", "/api/checkins", headers, string.format('{{"tag":"%s"}}', desk[1]))
  end
  last = "out"
  local booking = desk[2][1 + (position - 1) % #desk[2]]
  return wrk.format("POST", "/api/checkouts", headers, string.format('{{"tag":"%s","booking":%d}}', desk[1], booking))
end
function on_response(status)
  if last == "out" then
    if status == 201 then position = position + 1 end
    -- 201, or 409 because it is already out: either way it is out now
    if status == 201 or status == 409 then item_out = true end
  elseif last == "in" and (status == 200 or status == 409) then
    item_out = false
  end
end
"""


@dataclass
class WrkResult:
    requests: int
    seconds: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    statuses: dict[str, int]
    errors: dict[str, int]
    etag_changes: int = 0
    # The first body of each non-2xx status: says which rule answered 409 or 422.
    samples: dict[str, str] = field(default_factory=dict)
    extra: dict = field(default_factory=dict)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def count(self, predicate) -> int:
        return sum(n for status, n in self.statuses.items() if predicate(int(status)))

    @property
    def ok(self) -> int:
        return self.count(lambda s: 200 <= s < 400)

    @property
    def ok_rps(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0

    def as_dict(self) -> dict:
        return {"requests": self.requests, "seconds": round(self.seconds, 3), "rps": round(self.rps, 1),
                "ok_rps": round(self.ok_rps, 1), "p50_ms": self.p50_ms, "p90_ms": self.p90_ms,
                "p99_ms": self.p99_ms, "max_ms": self.max_ms, "statuses": self.statuses,
                "socket_errors": self.errors, "etag_changes": self.etag_changes,
                "error_samples": self.samples, **self.extra}


def ensure_wrk() -> str:
    """The path of wrk, installing Debian's package quietly when it is missing."""
    found = shutil.which("wrk")
    if found:
        return found
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]
    for command in (["apt-get", "-qq", "update"], ["apt-get", "install", "-y", "-qq", "wrk"]):
        result = subprocess.run(sudo + command, env=env, capture_output=True, text=True)
        if result.returncode != 0 and "install" in command:
            raise SystemExit(f"wrk is missing and could not be installed: {result.stderr.strip()[-500:]}")
    found = shutil.which("wrk")
    if not found:
        raise SystemExit("wrk is missing and could not be installed")
    return found


def run(base: str, scenario_lua: str, *, seconds: float, threads: int, connections: int,
        timeout_s: float = 10) -> WrkResult:
    """Run one scenario against `base` and return its figures."""
    script = f"thread_count = {threads}\n" + COMMON_LUA + scenario_lua
    with tempfile.NamedTemporaryFile("w", suffix=".lua", prefix="fablab-wrk-", delete=False) as handle:
        handle.write(script)
        path = handle.name
    try:
        result = subprocess.run(
            [ensure_wrk(), "-t", str(threads), "-c", str(connections), "-d", f"{max(1, round(seconds))}s",
             "--timeout", f"{max(1, round(timeout_s))}s", "-s", path, base],
            capture_output=True, text=True, timeout=seconds + 60,
        )
    finally:
        os.unlink(path)
    line = next((l for l in result.stdout.splitlines() if l.startswith("WRK_JSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk failed: {result.stdout[-1000:]} {result.stderr[-1000:]}")
    data = json.loads(line.removeprefix("WRK_JSON "))
    return WrkResult(
        requests=data["requests"], seconds=data["duration_us"] / 1e6,
        p50_ms=data["p50_us"] / 1000, p90_ms=data["p90_us"] / 1000, p99_ms=data["p99_us"] / 1000,
        max_ms=data["max_us"] / 1000, statuses=data["statuses"], errors=data["errors"],
        etag_changes=data["etag_changes"], samples=data["samples"],
    )
