"""The machinery under the domains: the database handle and transactions, settings, the embedded
PostgreSQL, migrations, the server (problem responses, guards, request deadlines, late requests,
supervision), periodic jobs, e-mail, backups and /health.
"""
