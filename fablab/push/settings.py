"""Push settings: the VAPID key pair and contact, and the endpoints tests may add (FABLAB_VAPID_*, …)."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from py_vapid import Vapid02
from py_vapid.utils import b64urlencode

from fablab.platform.settings import SettingsError

KEY_FILE = "vapid_private.pem"
DEFAULT_SUBJECT = "mailto:fablab@localhost"


@dataclass(frozen=True)
class PushSettings:
    vapid: Vapid02 = field(repr=False)
    subject: str
    allowed_prefixes: tuple[str, ...] = ()

    @property
    def public_key(self) -> str:
        """The applicationServerKey: the uncompressed P-256 point, base64url without padding."""
        raw = self.vapid.public_key.public_bytes(serialization.Encoding.X962,
                                                 serialization.PublicFormat.UncompressedPoint)
        return b64urlencode(raw)


def _key_from_text(text: str) -> Vapid02:
    text = text.strip()
    try:
        if "-----BEGIN" in text:
            return Vapid02.from_pem(text.encode())
        return Vapid02.from_string(text)  # base64url: the raw 32-byte scalar or DER
    except Exception:  # py_vapid and cryptography raise several kinds for a bad key
        raise SettingsError("FABLAB_VAPID_PRIVATE_KEY must be a P-256 private key (PEM, or base64url "
                            "raw or DER)") from None


def _key_from_data_dir(data_dir: Path) -> Vapid02:
    """Generated on first start, then read back: every worker and every restart signs with it."""
    path = data_dir / KEY_FILE
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        fresh = Vapid02()
        fresh.generate_keys()
        # Written aside and linked into place: of workers starting at once, one key wins for all.
        with tempfile.NamedTemporaryFile(dir=data_dir, prefix=".vapid-", delete=False) as handle:
            handle.write(fresh.private_pem())
        os.chmod(handle.name, 0o600)
        try:
            os.link(handle.name, path)
        except FileExistsError:
            pass
        finally:
            os.unlink(handle.name)
    try:
        return Vapid02.from_pem(path.read_bytes())
    except Exception:
        raise SettingsError(f"{path} is not a VAPID private key: remove it to generate a new one") from None


def _prefixes(raw: str) -> tuple[str, ...]:
    prefixes = tuple(part.strip() for part in raw.split(",") if part.strip())
    for prefix in prefixes:
        if not prefix.startswith(("http://", "https://")) or len(prefix) < len("http://x"):
            raise SettingsError(f"FABLAB_PUSH_ALLOWED_ENDPOINTS holds URL prefixes such as "
                                f"http://127.0.0.1:, got {prefix!r}")
    return prefixes


def load_push_settings(environ: dict | None = None) -> PushSettings:
    environ = dict(os.environ if environ is None else environ)
    subject = (environ.get("FABLAB_VAPID_SUBJECT") or DEFAULT_SUBJECT).strip()
    if not (subject.startswith("mailto:") and "@" in subject) and not subject.startswith("https://"):
        raise SettingsError(f"FABLAB_VAPID_SUBJECT must be a mailto: address or an https:// URL, got {subject!r}")
    raw_key = environ.get("FABLAB_VAPID_PRIVATE_KEY") or ""
    if raw_key.strip():
        vapid = _key_from_text(raw_key)
    else:
        vapid = _key_from_data_dir(Path(environ.get("FABLAB_DATA_DIR") or "var").resolve())
    # py_vapid checks `sub` with a strict pattern of its own; ours is checked above.
    vapid.conf["no-strict"] = True
    return PushSettings(vapid=vapid, subject=subject,
                        allowed_prefixes=_prefixes(environ.get("FABLAB_PUSH_ALLOWED_ENDPOINTS") or ""))


_loaded: PushSettings | None = None


def push_settings() -> PushSettings:
    """Loaded once per process (the key file is read or made at the first call)."""
    global _loaded
    if _loaded is None:
        _loaded = load_push_settings()
    return _loaded


def forget_push_settings() -> None:
    """For tests that change the environment."""
    global _loaded
    _loaded = None
