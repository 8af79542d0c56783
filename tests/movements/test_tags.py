"""The label namespace items and parts share (fablab/movements/tags.py): the text of a tag."""

import pytest

from fablab.domain.errors import InvalidInput
from fablab.movements.tags import next_tag, normalise_tag, tag_from_scanned_text, tag_url


def test_next_tag_skips_to_the_highest_number():
    assert next_tag("pan", "room", []) == "PAN-ROOM-001"
    assert next_tag("pan", "laptop", ["PAN-LAP-001", "PAN-LAP-012", "PAN-LAP-X", "VLG-LAP-099"]) == "PAN-LAP-013"


def test_tags_read_back_from_scanned_text():
    assert tag_url("https://x.org/", "vlg-lap-007") == "https://x.org/t/VLG-LAP-007"
    assert tag_from_scanned_text("https://other.host/t/vlg-lap-007") == "VLG-LAP-007"
    assert tag_from_scanned_text("  PAN-ROOM-001 ") == "PAN-ROOM-001"
    assert tag_from_scanned_text("https://example.org/login") is None
    assert tag_from_scanned_text("hello world") is None


def test_a_tag_is_upper_case_and_refused_when_it_cannot_be_printed():
    assert normalise_tag(" vlg-lap-007 ") == "VLG-LAP-007"
    for bad in ("", "-LAP", "VLG LAP", "X" * 41, "VLG/LAP"):
        with pytest.raises(InvalidInput):
            normalise_tag(bad)
