"""Accounts: users, sessions, roles, invites, passes and private feed tokens."""
