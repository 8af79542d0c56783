"""Inventory: resources, QR tags, label sheets, check-out/check-in, custody history, counts."""
