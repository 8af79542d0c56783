"""The server run without nginx in front (`fablab serve`) bounds request heads and bodies (issue 26 §4):
50 unfinished 8 MB heads held 407 MiB, unauthenticated, and a body dripped a byte at a time was
waited for for ever. Traffic to 127.0.0.1 only; the server is this test's own process."""

import json
import socket

import httpx
import pytest

from tests.support.server import serve

pytestmark = pytest.mark.server

BODY_TIMEOUT_S = 2
HEADS = 20
HEAD_SIZE = 8 * 1024 * 1024
# What the worker may gain while HEADS connections try to send 8 MB heads (each read is at most 256 KiB).
HEADS_GROWTH_MIB = 40


@pytest.fixture(scope="module")
def server(database_url):
    with serve(database_url, workers=1, FABLAB_BODY_TIMEOUT_S=str(BODY_TIMEOUT_S)) as running:
        yield running


def answer_of(connection: socket.socket, timeout: float = 15) -> bytes:
    """What the server sent before closing (or b"" when it reset the connection)."""
    connection.settimeout(timeout)
    received = b""
    try:
        while chunk := connection.recv(65536):
            received += chunk
    except ConnectionResetError:
        pass
    return received


def problem_code(answer: bytes) -> str:
    return json.loads(answer.split(b"\r\n\r\n", 1)[1])["code"]


def push_head(connection: socket.socket) -> None:
    """Send an 8 MB header without ever ending it, as far as the server lets it in."""
    connection.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: ")
    chunk = b"a" * 65536
    try:
        for _ in range(HEAD_SIZE // len(chunk)):
            connection.sendall(chunk)
    except OSError:
        pass  # closed by the server: what this test wants


def test_unfinished_huge_heads_get_431_and_hold_no_memory(server):
    worker = server.worker_pids()[0]
    before = server.rss_mib()[worker]
    connections = [socket.create_connection(("127.0.0.1", server.port)) for _ in range(HEADS)]
    for connection in connections:
        connection.settimeout(15)
        push_head(connection)
    peak = server.rss_mib()[worker]
    answers = [answer_of(connection) for connection in connections]
    for connection in connections:
        connection.close()
    assert peak - before < HEADS_GROWTH_MIB, (before, peak)
    for answer in answers:
        if answer:  # a reset before the answer was read is a refusal too
            assert answer.startswith(b"HTTP/1.1 431"), answer[:200]
            assert problem_code(answer) == "headers_too_large"
    assert any(answers)


def test_a_large_but_ordinary_head_is_answered(server):
    with socket.create_connection(("127.0.0.1", server.port)) as connection:
        cookie = "x" * 16384  # four times a big real cookie, a quarter of the bound
        connection.sendall(f"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: c={cookie}\r\n"
                           "Connection: close\r\n\r\n".encode())
        assert answer_of(connection).startswith(b"HTTP/1.1 200")


def test_a_body_dripped_byte_by_byte_is_cut_with_a_408(server):
    token = httpx.get(f"{server.base}/health").cookies["csrftoken"]  # the body must be waited for
    with socket.create_connection(("127.0.0.1", server.port)) as connection:
        connection.sendall(f"POST /api/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                           f"Cookie: csrftoken={token}\r\nX-CSRFToken: {token}\r\n"
                           "Content-Length: 1000\r\n\r\n{\"login\": \"".encode())
        connection.settimeout(0.25)
        answer, sent = b"", 0
        while not answer and sent < 100:  # 25 s of dripping at most; the deadline is 2 s
            try:
                answer = connection.recv(65536)
                break
            except TimeoutError:
                pass
            try:
                connection.sendall(b"a")
                sent += 1
            except OSError:
                break
        answer += answer_of(connection, timeout=5)
    assert answer.startswith(b"HTTP/1.1 408"), (sent, answer[:200])
    assert problem_code(answer) == "request_timeout"


def test_the_server_still_answers_after_the_attacks(server):
    with socket.create_connection(("127.0.0.1", server.port)) as connection:
        connection.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        assert answer_of(connection).startswith(b"HTTP/1.1 200")
