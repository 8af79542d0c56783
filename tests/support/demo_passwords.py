"""The demo users' password hashed with argon2id at its lowest cost, for the databases tests make.

Every sign-in still runs the real check (argon2 verify, throttle, session); only the demo users'
stored hashes are cheap, so a test that signs a class of 30 in costs milliseconds instead of ~0.3 s a
sign-in. Passwords that people set (invites, the admin's) keep the production hasher, and
tests/accounts check that.
"""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher

from fablab.seed import DEMO_PASSWORD

# The demo users share one hash (the seed hashes DEMO_PASSWORD once): the rows holding learner1's.
CHEAPEN_DEMO_USERS = """
UPDATE app_user SET password_hash = $1
 WHERE password_hash = (SELECT password_hash FROM app_user WHERE login = 'learner1')"""


@cache
def cheap_demo_hash() -> str:
    return PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(DEMO_PASSWORD)
