"""Helpers shared by scripts/bench.py, scripts/loadtest.py, scripts/fuzz.py and their tests."""
