"""A stand-in for a push service on loopback: checks VAPID like FCM or Mozilla do and decrypts each
message with the subscription's private key, as only the phone could (RFC 8030 / 8291 / 8292)."""

from __future__ import annotations

import base64
import json
import os
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Phone:
    """A browser's side of a subscription: the key pair and auth secret it would make."""

    path: str
    private_key: ec.EllipticCurvePrivateKey = field(default_factory=lambda: ec.generate_private_key(ec.SECP256R1()))
    auth: bytes = field(default_factory=lambda: os.urandom(16))

    def keys(self) -> dict:
        point = self.private_key.public_key().public_bytes(serialization.Encoding.X962,
                                                           serialization.PublicFormat.UncompressedPoint)
        return {"p256dh": b64url(point), "auth": b64url(self.auth)}


def check_vapid(authorization: str, audience: str, public_key: str) -> str | None:
    """None when the header is a valid RFC 8292 token for `audience` signed by `public_key`."""
    scheme, _, params = authorization.partition(" ")
    if scheme.lower() != "vapid":
        return f"scheme {scheme!r}"
    values = dict(part.strip().split("=", 1) for part in params.split(","))
    if values.get("k") != public_key:
        return "k is not the server's public key"
    header, claims, signature = values["t"].split(".")
    raw = unb64url(signature)
    key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(values["k"]))
    try:
        key.verify(encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big")),
                   f"{header}.{claims}".encode(), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return "bad signature"
    if json.loads(unb64url(header)).get("alg") != "ES256":
        return "alg is not ES256"
    body = json.loads(unb64url(claims))
    if body.get("aud") != audience:
        return f"aud {body.get('aud')!r} is not {audience!r}"
    if not time.time() < body.get("exp", 0) <= time.time() + 24 * 3600:
        return "exp is past or more than 24 hours ahead"
    if not str(body.get("sub", "")).startswith(("mailto:", "https:")):
        return "no sub"
    return None


class PushService:
    """Answers each phone's path with the statuses queued in `script[path]`, then 201."""

    def __init__(self, public_key: str, delay: float = 0.0) -> None:
        self.public_key = public_key
        self.delay = delay
        self.phones: dict[str, Phone] = {}
        self.script: dict[str, list[int]] = defaultdict(list)
        self.posts: list[tuple[str, int]] = []          # (path, status answered)
        self.delivered: list[dict] = []                 # decrypted payloads, with path and headers
        self.problems: list[str] = []
        self.lock = threading.Lock()
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's naming)
                service.handle(self)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> PushService:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def phone(self, name: str) -> tuple[Phone, dict]:
        """A new phone and the subscription its browser would hand the app."""
        phone = Phone(path=f"/push/{name}")
        self.phones[phone.path] = phone
        return phone, {"endpoint": self.base + phone.path, "keys": phone.keys()}

    def handle(self, request: BaseHTTPRequestHandler) -> None:
        body = request.rfile.read(int(request.headers.get("Content-Length") or 0))
        time.sleep(self.delay)  # a slow service keeps a first sender busy while a second one runs
        status, problem = self.answer(request, body)
        # Recorded before answering: once the sender has its answer, a test may count the posts.
        with self.lock:
            self.posts.append((request.path, status))
            if problem:
                self.problems.append(problem)
        request.send_response(status)
        if status in (429, 503):
            request.send_header("Retry-After", "0")
        request.send_header("Content-Length", "0")
        request.end_headers()

    def answer(self, request, body: bytes) -> tuple[int, str | None]:
        phone = self.phones.get(request.path)
        if phone is None:
            return 404, None
        problem = check_vapid(request.headers.get("Authorization", ""), self.base, self.public_key)
        if problem:
            return 403, f"VAPID: {problem}"
        if request.headers.get("Content-Encoding") != "aes128gcm":
            return 415, "not aes128gcm"
        if not request.headers.get("TTL", "").isdigit():
            return 400, "no TTL"
        with self.lock:
            queued = self.script[request.path]
            if queued:
                return queued.pop(0), None
        try:
            plain = http_ece.decrypt(body, private_key=phone.private_key, auth_secret=phone.auth, version="aes128gcm")
        except Exception as error:  # noqa: BLE001 - any failure to decrypt is the finding
            return 400, f"cannot decrypt: {error!r}"
        message = json.loads(plain)
        with self.lock:
            self.delivered.append({"path": request.path, **message, "ttl": int(request.headers["TTL"]),
                                   "urgency": request.headers.get("Urgency"), "topic": request.headers.get("Topic")})
        return 201, None

    def delivered_to(self, path: str) -> list[dict]:
        with self.lock:
            return [m for m in self.delivered if m["path"] == path]
