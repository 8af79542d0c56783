"""The platform tests' data dirs (tests/support/lifecycle.py), as fixtures of the folder: a session
fixture registered once, so the data dir a server started on is made once per process."""

from tests.support.lifecycle import _data_dir_started_once, data_dir, started_data_dir  # noqa: F401 - fixtures
