"""Decoding a scanned photo in a child process bounded in memory, CPU and time (issue 26 §1-2).

scan.py refuses what an image's header shows to be too costly. Whatever else a file can make a
decoder do (a trick of a format nobody has thought of, a codec bug), the child bounds it: its
address space (RLIMIT_AS), its CPU time (RLIMIT_CPU, then the kernel ends it) and its wall-clock
time (killed by the worker after DECODE_TIMEOUT_S). Out of the worker's interpreter, a decode that
holds the GIL (zxing, Pillow's conversions) no longer delays the worker's other requests, and the
decoder's memory goes back to the system when the child exits; and it runs at a lower priority
(nice 10), so that the worker's other requests go first. Starting a child costs about 0.1 s of
CPU: small beside a decode.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import resource
import sys

from fablab.domain import codes
from fablab.domain.errors import DomainError, ImageTooCostly, UnsupportedImage

# A decode within scan.py's budgets needs under 100 MB besides the interpreter's 35 MB; the
# address space also counts mapped libraries, hence the margin.
CHILD_ADDRESS_SPACE_BYTES = 512 * 1024 * 1024
# A phone photo takes a few tenths of a second; the target is under 2 s per upload.
CHILD_CPU_S = 2
# A child waiting for nothing (it should not) is killed: wall time, for a busy machine's sake.
DECODE_TIMEOUT_S = 30.0
CHILD_COMMAND = [sys.executable, "-m", "fablab.inventory.scan_child"]

log = logging.getLogger("fablab")


class ChildRefusal(DomainError):
    """The problem the child answered (no code found, damaged, too large...), raised in the worker."""

    def __init__(self, status: int, code: str, title: str, detail: str) -> None:
        super().__init__(detail, code=code)
        self.status, self.title = status, title


def _too_costly() -> ImageTooCostly:
    return ImageTooCostly("This photo would cost too much to decode; send the camera's photo as it is, or a smaller one.")


async def decode_qr_bounded(data: bytes) -> str:
    """scan.decode_qr(data), run in a bounded child process; its refusals are raised here."""
    process = await asyncio.create_subprocess_exec(
        *CHILD_COMMAND, stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        env=_child_environment())
    try:
        out, err = await asyncio.wait_for(process.communicate(data), DECODE_TIMEOUT_S)
    except BaseException as error:  # the deadline passed, or the request was cancelled: the child goes too
        process.kill()
        await process.wait()
        if isinstance(error, asyncio.TimeoutError):
            raise _too_costly() from None
        raise
    return _answer(process.returncode, out, err)


def _child_environment() -> dict[str, str]:
    """What the child needs to find Python and fablab, and nothing else (no secret key, no
    database address: a decoder tricked into running code finds none in its environment)."""
    kept = {name: os.environ[name] for name in ("PATH", "LANG", "PYTHONPATH", "VIRTUAL_ENV") if name in os.environ}
    return {**kept, "MALLOC_ARENA_MAX": "2"}  # glibc reserves 64 MB of addresses per arena


def _answer(returncode: int, out: bytes, err: bytes) -> str:
    try:
        result = json.loads(out)
    except ValueError:
        result = None
    if result is None or returncode != 0:
        if returncode < 0 or b"MemoryError" in err:  # ended by a limit (SIGXCPU, SIGKILL) or out of memory
            raise _too_costly()
        log.warning("the photo decoder failed (exit %s): %s", returncode, err.decode(errors="replace")[-500:])
        raise UnsupportedImage("The image is damaged or truncated.", code=codes.DAMAGED_IMAGE)
    if "text" in result:
        return result["text"]
    raise ChildRefusal(result["status"], result["code"], result["title"], result["detail"])


def main() -> None:
    # Below the worker's priority: on a busy machine, the worker's other requests go first.
    os.nice(10)
    resource.setrlimit(resource.RLIMIT_AS, (CHILD_ADDRESS_SPACE_BYTES, CHILD_ADDRESS_SPACE_BYTES))
    resource.setrlimit(resource.RLIMIT_CPU, (CHILD_CPU_S, CHILD_CPU_S + 1))
    from fablab.inventory import scan

    data = sys.stdin.buffer.read(scan.MAX_UPLOAD_BYTES + 1)
    try:
        result = {"text": scan.decode_qr(data)}
    except DomainError as error:
        result = {"status": error.status, "code": error.code, "title": error.title, "detail": error.detail}
    sys.stdout.write(json.dumps(result))


if __name__ == "__main__":
    main()
