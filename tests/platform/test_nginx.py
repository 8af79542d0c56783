"""deploy/nginx.conf, run by Debian's nginx over HTTPS in front of 2 workers on loopback."""

import asyncio
import shutil
import socket
import ssl
import subprocess
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.support.paths import ROOT
from tests.support.server import free_port
from tests.support.clients import running_server

pytestmark = [pytest.mark.server, pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx not installed")]


def render_site_config(template: str, *, https_port: int, http_port: int, upstream_port: int, tmp: Path) -> str:
    """The deployment file with only the machine-specific parts replaced."""
    return (
        template.replace("127.0.0.1:8000", f"127.0.0.1:{upstream_port}")
        .replace("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;")
        .replace("listen [::]:443 ssl http2;", "")
        .replace("listen 80;", f"listen 127.0.0.1:{http_port};")
        .replace("listen [::]:80;", "")
        .replace("server_name fablab.example.org;", "server_name 127.0.0.1;")
        .replace("/etc/letsencrypt/live/fablab.example.org/fullchain.pem", str(tmp / "cert.pem"))
        .replace("/etc/letsencrypt/live/fablab.example.org/privkey.pem", str(tmp / "key.pem"))
    )


@pytest.fixture
def nginx_in_front(database_url, demo, tmp_path):
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
         "-keyout", str(tmp_path / "key.pem"), "-out", str(tmp_path / "cert.pem")],
        check=True, capture_output=True,
    )
    https_port, http_port = free_port(), free_port()
    base = f"https://127.0.0.1:{https_port}"
    with running_server(database_url, workers=2, FABLAB_BASE_URL=base, FABLAB_ALLOWED_HOSTS="127.0.0.1") as (_, port):
        site = render_site_config((ROOT / "deploy" / "nginx.conf").read_text(), https_port=https_port,
                                  http_port=http_port, upstream_port=port, tmp=tmp_path)
        (tmp_path / "nginx.conf").write_text(
            f"daemon off;\npid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\n"
            "events { worker_connections 256; }\n"
            f"http {{\n access_log off;\n client_body_temp_path {tmp_path}/body;\n proxy_temp_path {tmp_path}/proxy;\n"
            f"{site}\n}}\n"
        )
        nginx = subprocess.Popen(["nginx", "-c", str(tmp_path / "nginx.conf"), "-e", str(tmp_path / "error.log")],
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        try:
            for _ in range(50):
                try:
                    if httpx.get(f"{base}/health", verify=False, timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                asyncio.run(asyncio.sleep(0.1))
            yield base, http_port
        finally:
            nginx.terminate()
            nginx.wait(timeout=10)


def test_https_proxy_serves_the_app_with_secure_cookies(nginx_in_front):
    base, http_port = nginx_in_front
    response = httpx.get(f"{base}/health", verify=False)
    assert response.status_code == 200 and response.json()["database"] == "ok"
    assert "strict-transport-security" in response.headers
    assert "secure" in response.headers["set-cookie"].lower()
    redirect = httpx.get(f"http://127.0.0.1:{http_port}/health")
    assert redirect.status_code == 301 and redirect.headers["location"].startswith("https://")


async def test_booking_race_through_nginx_books_the_slot_once(nginx_in_front):
    """The 50-client race of tests/bookings/test_booking_concurrency.py, over HTTPS through the proxy: the
    forwarded requests reach both workers and the database still lets exactly one through."""
    from collections import Counter

    from tests.support.racing import (
        CLIENTS, learners_with_sessions, moment, overlapping_active_pairs, race,
    )

    base, _ = nginx_in_front
    clients = []
    for token in await learners_with_sessions(CLIENTS):
        client = httpx.AsyncClient(base_url=base, timeout=60, verify=False, cookies={"fablab_session": token})
        await client.get("/health")
        client.headers["x-csrftoken"] = client.cookies["csrftoken"]
        clients.append(client)
    responses = await race(clients, {"resource": "VLG-ROOM-001", "starts_at": moment(10), "ends_at": moment(11)})

    statuses = Counter(r.status_code for r in responses)
    assert statuses == {201: 1, 409: CLIENTS - 1}, statuses
    assert {r.json()["code"] for r in responses if r.status_code == 409} == {"booking_conflict"}
    assert await overlapping_active_pairs() == 0


def seconds_until_closed(port: int, first_bytes: bytes, drip: bytes = b"") -> float:
    """Open a TLS connection, send `first_bytes`, then `drip` every second; how long until nginx hangs up."""
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    started = time.monotonic()
    with context.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=30)) as connection:
        connection.sendall(first_bytes)
        connection.settimeout(1)
        while time.monotonic() - started < 30:
            try:
                if connection.recv(100) == b"":
                    break
            except socket.timeout:
                if drip:
                    try:
                        connection.sendall(drip)
                    except OSError:
                        break
            except OSError:
                break
        return time.monotonic() - started


def test_slow_clients_are_cut_by_nginx_after_its_header_timeout(nginx_in_front):
    """A connection that sends nothing, and one that drips a header line a second (slowloris)."""
    base, _ = nginx_in_front
    port = int(base.rsplit(":", 1)[1])
    took = {}
    cases = {"silent": (b"", b""), "dripping": (b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n", b"X-Slow: 1\r\n")}
    threads = [threading.Thread(target=lambda name=name, args=args: took.__setitem__(name, seconds_until_closed(port, *args)))
               for name, args in cases.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=40)
    # client_header_timeout 10s in deploy/nginx.conf; without it, nginx's default is 60 s.
    assert set(took) == {"silent", "dripping"} and all(8 < seconds < 15 for seconds in took.values()), took
    assert httpx.get(f"{base}/health", verify=False).status_code == 200
