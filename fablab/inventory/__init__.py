"""Inventory: resources, QR tags, label sheets, their status and custody history, counts."""
