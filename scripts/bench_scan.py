"""Peak memory of one worker while 8 worst-case photos reach /api/scan at once (issue 16 §3). Prints only:

    .venv/bin/python scripts/bench_scan.py [--admin-url postgresql://postgres@127.0.0.1:5432/postgres]

Worst cases: the largest image of each kind the server still decodes (a 50 MP JPEG, decoded at a
reduced scale; the largest RGBA WebP and PNG still accepted, decoded whole), and the 7000 x 7000 WebP of the
issue (103 KB, refused from its header). The figure is the worker's resident memory sampled
every 5 ms, above what it held before the burst; the target is under +200 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import subprocess
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


def cases() -> dict[str, tuple[bytes, str]]:
    webp, png = largest("WEBP"), largest("PNG")
    return {
        "JPEG 8160 x 6120 (50 MP)": (photo((8160, 6120), "JPEG"), "image/jpeg"),
        f"WebP RGBA {webp[0]} x {webp[1]}": (photo(webp, "WEBP", "RGBA"), "image/webp"),
        f"PNG RGBA {png[0]} x {png[1]}": (photo(png, "PNG", "RGBA"), "image/png"),
        "WebP 7000 x 7000 (the issue's bomb)": (photo((7000, 7000), "WEBP", "L"), "image/webp"),
    }


def rss_kib(pid: int) -> int:
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


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


async def burst(client: httpx.AsyncClient, data: bytes, media_type: str) -> list[int]:
    responses = await asyncio.gather(*(
        client.post("/api/scan", files={"file": ("photo", data, media_type)}, timeout=120) for _ in range(CONCURRENT)))
    return [response.status_code for response in responses]


async def measure(base: str, pid: int) -> None:
    async with httpx.AsyncClient(base_url=base) as client:
        await client.get("/health")
        client.headers["x-csrftoken"] = client.cookies["csrftoken"]
        login = await client.post("/api/auth/login", json={"login": "staff.vlg", "password": DEMO_PASSWORD})
        login.raise_for_status()
        warm = await client.post("/api/scan", files={"file": ("p.jpg", photo((1600, 1200), "JPEG"), "image/jpeg")})
        assert warm.status_code == 200, warm.text
        print(f"{CONCURRENT} concurrent uploads per case, one worker ({scan.CONCURRENT_DECODES} decodes at once); "
              f"target: peak under +{TARGET_MIB} MiB")
        idle, worst = rss_kib(pid), 0
        for name, (data, media_type) in cases().items():
            before = rss_kib(pid)
            started = time.monotonic()
            with PeakSampler(pid) as sampler:
                statuses = await burst(client, data, media_type)
            seconds = time.monotonic() - started
            delta = (sampler.peak - before) / 1024
            worst = max(worst, sampler.peak)
            print(f"  {name:38} {len(data) / 1024:8.0f} KiB  statuses {sorted(set(statuses))}  "
                  f"RSS before {before / 1024:6.1f} MiB, peak {sampler.peak / 1024:6.1f} MiB "
                  f"(+{delta:5.1f} MiB), {seconds:4.1f} s")
        above = (worst - idle) / 1024
        print(f"idle worker {idle / 1024:.1f} MiB, highest peak {worst / 1024:.1f} MiB: +{above:.1f} MiB "
              f"({'under' if above < TARGET_MIB else 'OVER'} the +{TARGET_MIB} MiB target); "
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
