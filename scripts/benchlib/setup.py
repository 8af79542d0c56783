"""What every benchmark script does first: the repository on sys.path and a secret key for the app."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("FABLAB_SECRET_KEY", "bench-secret-key-that-is-long-enough-0123456789")
