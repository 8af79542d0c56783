"""Consumables (issue 19): filament, resin and supplies per site, their append-only stock ledger, what
each print used and how it went, monthly budgets per learner, low-stock alerts, the consumption report.

Owns the tables consumable, consumable_movement, print_log and consumable_alert.
"""
