"""One worker while 8 worst-case photos reach /api/scan at once (issues 16 §3 and 26 §1-2). Prints only:

    .venv/bin/python scripts/bench_scan.py [--admin-url postgresql://postgres@127.0.0.1:5432/postgres]

Worst cases: the bombs of issue 26 (a progressive JPEG of 50,000 scans; 50 MP progressive JPEGs,
RGB and CMYK, under 800 KB; a 50 MP CMYK baseline one), the largest image of each kind the server
still decodes (a 50 MP JPEG, decoded at a reduced scale; the largest RGBA WebP and PNG still
accepted, decoded whole), and the 7000 x 7000 WebP of issue 16 (refused from its header).
For each, 8 uploads at once, and meanwhile an ordinary GET /api/tags/{tag} every 50 ms:
- peak memory: the worker's and its decoding children's (PSS) sampled every 5 ms, above the idle worker (target under +200 MiB);
- CPU seconds per upload: the worker's user + system time over the burst, divided by 8 (target under 2);
- the slowest GET /api/tags/{tag} during the burst (target under 1 s).
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import subprocess
import sys
import threading
import time

from benchlib.setup import ROOT  # first: puts the repository on sys.path

import httpx  # noqa: E402
from PIL import Image  # noqa: E402

from fablab.inventory import qr, scan  # noqa: E402
from fablab.seed import DEMO_PASSWORD  # noqa: E402

from tests.support.cluster import scratch_database  # noqa: E402
from tests.support.dataset import seed_demo  # noqa: E402
from tests.support.server import serve  # noqa: E402

CONCURRENT = 8
TARGET_MIB = 200
TARGET_CPU_S = 2.0
TARGET_LATENCY_S = 1.0
TAG = "VLG-LAP-007"


def photo(size: tuple[int, int], image_format: str, mode: str = "RGB") -> bytes:
    """A photo of `size` with a QR label in it (the decoder has to find it), in `image_format`."""
    image = Image.new(mode, size, (150, 140, 130, 255)[: len(mode)] if mode != "L" else 140)
    label = Image.open(io.BytesIO(qr.qr_png("VLG-LAP-007"))).convert(mode).resize((size[0] // 4, size[0] // 4))
    image.paste(label, (size[0] // 3, size[1] // 3))
    buffer = io.BytesIO()
    image.save(buffer, format=image_format, **({} if image_format == "PNG" else {"quality": 80}))
    return buffer.getvalue()


def largest(image_format: str) -> tuple[int, int]:
    """The largest 4:3 image of this format still under the pixel budget."""
    height = int((scan.pixel_budget(image_format) * 3 / 4) ** 0.5)
    return height * 4 // 3, height


def flat_jpeg(size: tuple[int, int], mode: str, **options) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size).save(buffer, format="JPEG", quality=30, **options)
    return buffer.getvalue()


def scan_bomb(scans: int = 50_000) -> bytes:
    """A 48 MP progressive JPEG whose last scan (a few bytes: one run of empty blocks) comes again
    and again: libjpeg walks every block of the image once per scan."""
    data = flat_jpeg((8000, 6000), "L", progressive=True)
    first = data.index(b"\xff\xda")
    parts = [b"\xff\xda" + part for part in data[first:-2].split(b"\xff\xda")[1:]]
    return data[:first] + b"".join(parts + [parts[-1]] * (scans - len(parts))) + b"\xff\xd9"


def cases() -> dict[str, tuple[bytes, str]]:
    webp, png = largest("WEBP"), largest("PNG")
    return {
        "progressive JPEG, 50,000 scans": (scan_bomb(), "image/jpeg"),
        "progressive JPEG 50 MP": (flat_jpeg((8160, 6120), "RGB", progressive=True), "image/jpeg"),
        "progressive CMYK JPEG 50 MP": (flat_jpeg((8160, 6120), "CMYK", progressive=True), "image/jpeg"),
        "CMYK JPEG 50 MP": (flat_jpeg((8160, 6120), "CMYK"), "image/jpeg"),
        "JPEG 8160 x 6120 (50 MP)": (photo((8160, 6120), "JPEG"), "image/jpeg"),
        f"WebP RGBA {webp[0]} x {webp[1]}": (photo(webp, "WEBP", "RGBA"), "image/webp"),
        f"PNG RGBA {png[0]} x {png[1]}": (photo(png, "PNG", "RGBA"), "image/png"),
        "WebP 7000 x 7000 (the issue's bomb)": (photo((7000, 7000), "WEBP", "L"), "image/webp"),
    }


def cpu_s(pid: int) -> float:
    """User + system CPU time of the worker so far, with that of its children that have ended
    (the decoding children: a child's time is added to its parent's when it is reaped)."""
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return sum(int(field) for field in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    try:
        return [int(child) for task in os.listdir(f"/proc/{pid}/task")
                for child in open(f"/proc/{pid}/task/{task}/children").read().split()]
    except OSError:
        return []


def rss_kib(pid: int) -> int:
    """Memory of the worker and of its children (each photo is decoded in a child): their PSS,
    resident memory with shared pages split among those sharing them (RSS would count the pages a
    child shares with the worker between its fork and its exec twice)."""
    total = 0
    for process in [pid, *children(pid)]:
        try:
            total += next(int(line.split()[1]) for line in open(f"/proc/{process}/smaps_rollup") if line.startswith("Pss:"))
        except (OSError, StopIteration):
            pass  # a child that ended meanwhile
    return total


class PeakSampler:
    def __init__(self, pid: int) -> None:
        self.pid, self.peak, self._stop = pid, 0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, rss_kib(self.pid))
            time.sleep(0.005)

    def __enter__(self) -> PeakSampler:
        self._thread.start()
        return self

    def __exit__(self, *_) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_kib(self.pid))


# The tag lookups run in a process of their own: in this one they would wait behind the client's
# own work of sending 8 uploads, which is not the server's latency.
PROBE = """
import select, sys, time, httpx
base, cookie, tag = sys.argv[1:4]
slowest = 0.0
with httpx.Client(base_url=base, cookies={"fablab_session": cookie}, timeout=300) as client:
    client.get(f"/api/tags/{tag}").raise_for_status()
    print("ready", flush=True)
    while not select.select([sys.stdin], [], [], 0.05)[0]:
        started = time.monotonic()
        client.get(f"/api/tags/{tag}").raise_for_status()
        slowest = max(slowest, time.monotonic() - started)
print(slowest)
"""


def start_probe(client: httpx.AsyncClient) -> subprocess.Popen:
    probe = subprocess.Popen([sys.executable, "-c", PROBE, str(client.base_url), client.cookies["fablab_session"], TAG],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert probe.stdout.readline() == "ready\n"
    return probe


async def at_rest(client: httpx.AsyncClient) -> float:
    probe = start_probe(client)
    await asyncio.sleep(3)
    return float(probe.communicate("stop\n")[0].split()[-1])


async def burst(client: httpx.AsyncClient, data: bytes, media_type: str) -> tuple[list[str], float]:
    """8 uploads at once; their answers, and the slowest ordinary tag lookup made meanwhile."""
    probe = start_probe(client)
    await asyncio.sleep(0.2)  # a few lookups before the burst
    try:
        responses = await asyncio.gather(*(client.post("/api/scan", files={"file": ("photo", data, media_type)},
                                                       timeout=600) for _ in range(CONCURRENT)))
    finally:
        slowest, _ = probe.communicate("stop\n")
        slowest = slowest.split()[-1]
    answers = [f"{r.status_code} {r.json().get('code', '') if r.status_code >= 400 else ''}".strip() for r in responses]
    return answers, float(slowest)


async def measure(base: str, pid: int) -> None:
    async with httpx.AsyncClient(base_url=base) as client:
        await client.get("/health")
        client.headers["x-csrftoken"] = client.cookies["csrftoken"]
        login = await client.post("/api/auth/login", json={"login": "staff.vlg", "password": DEMO_PASSWORD})
        login.raise_for_status()
        warm = await client.post("/api/scan", files={"file": ("p.jpg", photo((1600, 1200), "JPEG"), "image/jpeg")})
        assert warm.status_code == 200, warm.text
        print(f"{CONCURRENT} concurrent uploads per case, one worker ({scan.CONCURRENT_DECODES} decodes at once); "
              f"targets: peak under +{TARGET_MIB} MiB over the idle worker, under {TARGET_CPU_S:.0f} CPU s per upload, "
              f"GET /api/tags/{{tag}} meanwhile under {TARGET_LATENCY_S:.0f} s")
        idle, worst, worst_cpu, worst_latency = rss_kib(pid), 0, 0.0, 0.0
        print(f"  GET /api/tags/{{tag}} with no upload, over 3 s (the machine's own load): max {await at_rest(client):.2f} s")
        for name, (data, media_type) in cases().items():
            before, cpu_before, started = rss_kib(pid), cpu_s(pid), time.monotonic()
            with PeakSampler(pid) as sampler:
                answers, latency = await burst(client, data, media_type)
            seconds, per_upload = time.monotonic() - started, (cpu_s(pid) - cpu_before) / CONCURRENT
            worst, worst_cpu, worst_latency = max(worst, sampler.peak), max(worst_cpu, per_upload), max(worst_latency, latency)
            print(f"  {name:36} {len(data) / 1024:6.0f} KiB  {', '.join(sorted(set(answers))):22} "
                  f"peak +{(sampler.peak - idle) / 1024:5.1f} MiB over idle (+{(sampler.peak - before) / 1024:5.1f} over "
                  f"the case's start)  {per_upload:5.2f} CPU s/upload  "
                  f"tags GET max {latency:5.2f} s  ({seconds:4.1f} s)")
        above = (worst - idle) / 1024
        verdict = lambda ok: "under" if ok else "OVER"  # noqa: E731
        print(f"idle worker {idle / 1024:.1f} MiB; worst: peak +{above:.1f} MiB ({verdict(above < TARGET_MIB)} target), "
              f"{worst_cpu:.2f} CPU s per upload ({verdict(worst_cpu < TARGET_CPU_S)} target), "
              f"tags GET {worst_latency:.2f} s ({verdict(worst_latency < TARGET_LATENCY_S)} target); "
              f"after the bursts {rss_kib(pid) / 1024:.1f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--admin-url", default=os.environ.get("FABLAB_BENCH_PG"))
    args = parser.parse_args()
    with scratch_database(args.admin_url, prefix="fablab_bench_scan", data_dir=ROOT / "var" / "bench") as scratch:
        asyncio.run(seed_demo(scratch.url))
        with serve(scratch.url, workers=1, log=subprocess.DEVNULL) as server:
            asyncio.run(measure(server.base, server.worker_pids()[0]))


if __name__ == "__main__":
    main()
