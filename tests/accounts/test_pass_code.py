"""The pass's short code (issue 28): typed at the desk when the camera fails, it names the learner as
the QR does, follows the pass when it is replaced, and forgives how people type it."""

from __future__ import annotations

import re

from fablab.accounts.passes import typed_code


async def test_the_typed_code_finds_the_learner_and_dies_with_the_pass(learner, staff):
    shown = (await learner.get("/api/me/pass")).json()
    me = (await learner.get("/api/me")).json()["id"]
    assert re.fullmatch(rf"{me}-[0-9A-HJKMNP-TV-Z]{{6}}", shown["code"]), shown["code"]
    number, chars = shown["code"].split("-")
    for typed in (shown["code"], f"{number} {chars.lower()}", f"{number}{chars}"):
        found = await staff.get(f"/api/users/by-pass/{typed}")
        assert found.status_code == 200, typed
        assert found.json()["login"] == "learner1"
    wrong = chars[:-1] + ("0" if chars[-1] != "0" else "1")
    assert (await staff.get(f"/api/users/by-pass/{number}-{wrong}")).json()["code"] == "unknown_pass"
    rotated = (await learner.post("/api/me/pass/rotate")).json()
    assert rotated["code"] != shown["code"]
    assert (await staff.get(f"/api/users/by-pass/{shown['code']}")).status_code == 404
    assert (await staff.get(f"/api/users/by-pass/{rotated['code']}")).json()["login"] == "learner1"


async def test_another_learner_number_with_this_code_is_nobody(learner, other_learner, staff):
    mine = (await learner.get("/api/me/pass")).json()["code"]
    other = (await other_learner.get("/api/me")).json()["id"]
    assert (await staff.get(f"/api/users/by-pass/{other}-{mine.split('-')[1]}")).status_code == 404


def test_misread_letters_are_forgiven():
    assert typed_code(" 42 - k7p4qx ") == (42, "42-K7P4QX")
    assert typed_code("42-K7P4QO") == (42, "42-K7P4Q0")  # O typed for zero
    assert typed_code("VLG-LAP-001") is None and typed_code("42-K7P") is None
