"""Photo scan against JPEGs built to cost (issue 26 §1-2): refused from their markers before any
decode, with a code; the ones still decoded hold little memory. Bombs are made in memory, each as
small as its point allows; scripts/bench_scan.py measures the server under 8 at once."""

import io
import subprocess
import sys
import textwrap

import pytest
from PIL import Image

from fablab.inventory import qr


def jpeg(size: tuple[int, int], mode: str = "L", label: str | None = None, **options) -> bytes:
    """A flat image (a QR label pasted in when `label` is given) saved as a JPEG with `options`."""
    image = Image.new(mode, size, {"L": 128, "RGB": (150, 140, 130), "CMYK": (10, 20, 30, 40)}[mode])
    if label:
        code = Image.open(io.BytesIO(qr.qr_png(label))).convert(mode)
        image.paste(code, (size[0] // 3, size[1] // 3))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=options.pop("quality", 85), **options)
    return buffer.getvalue()


def scan_bomb(size: tuple[int, int] = (4000, 3000), repeats: int = 1000, junk: bytes = b"") -> bytes:
    """A progressive JPEG whose last scan comes again `repeats` times: each copy is a few bytes
    (one run of empty blocks), and libjpeg walks every block of the image for each of them."""
    data = jpeg(size, progressive=True, quality=50)
    first = data.index(b"\xff\xda")
    scans = [b"\xff\xda" + part for part in data[first:-2].split(b"\xff\xda")[1:]]
    return data[:first] + junk.join(scans + [scans[-1]] * repeats) + b"\xff\xd9"


async def upload(client, data: bytes):
    return await client.post("/api/scan", files={"file": ("photo.jpg", data, "image/jpeg")})


def assert_too_costly(response) -> None:
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "image_too_costly", response.text


async def test_a_jpeg_of_a_thousand_scans_is_refused_before_its_decode(staff):
    # 71 KB: a thousand passes over 190,000 blocks took 7 s of CPU; the 50,000 scans of the issue, 225 s.
    assert_too_costly(await upload(staff, scan_bomb()))


async def test_stray_bytes_between_scans_do_not_hide_them(staff):
    # libjpeg skips bytes that are not a marker (with a warning): the count must skip them too.
    assert_too_costly(await upload(staff, scan_bomb(repeats=1000, junk=b"\x00junk")))


async def test_progressive_50_mp_grey_and_12_mp_cmyk_are_refused(staff):
    # libjpeg keeps every coefficient of a progressive image: 100 MB for 50 MP of grey (191 KB
    # of file), 4 layers of 12 MP for CMYK, at full size whatever the scale asked.
    assert_too_costly(await upload(staff, jpeg((8160, 6120), progressive=True, quality=30)))
    assert_too_costly(await upload(staff, jpeg((4000, 3000), "CMYK", progressive=True, quality=30)))


async def test_ordinary_progressive_and_cmyk_photos_are_still_read(staff):
    for data in (jpeg((1600, 1200), "RGB", label="VLG-LAP-007", progressive=True),
                 jpeg((4000, 3000), "CMYK", label="VLG-LAP-007")):
        response = await upload(staff, data)
        assert response.status_code == 200, response.text
        assert response.json()["tag"] == "VLG-LAP-007"


def test_the_frame_reader_counts_one_image_and_stops_at_its_budget():
    from fablab.inventory import jpeg_cost  # new with issue 26: imported here, the file runs on older code

    photo = jpeg((640, 480), "RGB")
    frame = jpeg_cost.read_frame(photo, max_segments=100)
    assert (frame.width, frame.height, frame.scans, frame.progressive) == (640, 480, 1, False)
    assert frame.coefficient_bytes() == 0  # one scan: decoded in one pass, at reduced scale
    # An MPO (or anything after the end of the image) is not counted as the first image's scans.
    assert jpeg_cost.read_frame(photo + photo, max_segments=100).scans == 1
    bomb = jpeg_cost.read_frame(scan_bomb((64, 64), repeats=5000), max_segments=50)
    assert bomb.segments == 51 and bomb.progressive
    assert jpeg_cost.read_frame(b"\xff\xd8\xff\xda\x00\x02", max_segments=10) is None


# What one decode may hold, measured in a child process that makes the photo, then resets its
# peak (Linux's clear_refs) and decodes it: two decodes run at once, so twice this stays far
# under the +200 MiB the issue allows a worker.
DECODE_PEAK_MIB = 64
MEASURE = textwrap.dedent("""
    import gc, io, sys
    from PIL import Image
    from fablab.inventory import scan
    mode, progressive = sys.argv[1], sys.argv[2] == "1"
    buffer = io.BytesIO()
    Image.new(mode, (8160, 6120)).save(buffer, "JPEG", quality=30, progressive=progressive)
    data = buffer.getvalue()
    gc.collect(); scan.release_freed_memory(0)
    def kib(field):
        return int(next(l for l in open("/proc/self/status") if l.startswith(field)).split()[1])
    open("/proc/self/clear_refs", "w").write("5")
    before = kib("VmRSS:")
    try:
        scan.decode_qr(data)
    except Exception as error:
        print(getattr(error, "code", type(error).__name__), file=sys.stderr)
    print((kib("VmHWM:") - before) // 1024)
""")


@pytest.mark.parametrize("mode, progressive", [("RGB", False), ("CMYK", False), ("RGB", True)],
                         ids=["baseline", "cmyk", "progressive"])
def test_a_50_mp_jpeg_costs_one_decode_little_memory(mode, progressive):
    child = subprocess.run([sys.executable, "-c", MEASURE, mode, "1" if progressive else "0"],
                           capture_output=True, text=True, check=True, timeout=120)
    peak_mib = int(child.stdout.strip())
    assert peak_mib < DECODE_PEAK_MIB, (mode, progressive, peak_mib, child.stderr)


# --- the child process: whatever a file makes the decoder do, its limits end it with a 422 --------

SPIN = "import resource, sys; sys.stdin.buffer.read(); resource.setrlimit(resource.RLIMIT_CPU, (1, 2))\nwhile True: pass"
HANG = "import sys, time; sys.stdin.buffer.read(); time.sleep(60)"
GREEDY = ("import resource, sys; sys.stdin.buffer.read(); "
          "resource.setrlimit(resource.RLIMIT_AS, (256 << 20, 256 << 20)); b = bytearray(512 << 20)")


@pytest.mark.parametrize("child", [SPIN, HANG, GREEDY], ids=["cpu", "wall-clock", "memory"])
async def test_a_decoder_past_its_limits_is_ended_with_a_422(staff, monkeypatch, child):
    from fablab.inventory import scan_child  # new with issue 26

    # Stand-ins for a decoder gone wrong, under the same limits the real child sets itself.
    monkeypatch.setattr(scan_child, "CHILD_COMMAND", [sys.executable, "-c", child])
    monkeypatch.setattr(scan_child, "DECODE_TIMEOUT_S", 3.0)
    assert_too_costly(await upload(staff, jpeg((64, 64))))


def test_the_real_child_sets_its_limits_and_answers_in_json():
    child = subprocess.run([sys.executable, "-c", "import resource, runpy, sys; sys.argv = ['x']; "
                            "runpy.run_module('fablab.inventory.scan_child', run_name='__main__'); "
                            "print(resource.getrlimit(resource.RLIMIT_AS)[0] >> 20, resource.getrlimit(resource.RLIMIT_CPU))",
                            ], input=jpeg((64, 64)), capture_output=True, check=True, timeout=60)
    assert child.stdout.decode().endswith("512 (2, 3)\n"), child.stdout
    assert child.stdout.startswith(b'{"status": 422, "code": "no_qr_found"'), child.stdout


def test_the_child_gets_no_secret_in_its_environment(monkeypatch):
    from fablab.inventory import scan_child  # new with issue 26

    monkeypatch.setenv("FABLAB_SECRET_KEY", "s3cret")
    monkeypatch.setenv("DATABASE_URL", "postgresql://user:password@127.0.0.1/fablab")
    environment = scan_child._child_environment()
    assert "FABLAB_SECRET_KEY" not in environment and "DATABASE_URL" not in environment
