"""An item's history and its label: the one owner of `movement` (every hand-over, status change,
count, part and maintenance event of an item, appended and kept) and of the label namespace that
items and parts share.

It sits below the bookings and the desk so that each of them logs through it without importing one
another: bookings' hand-over statements log with the fragments of `log.py` in the same statement,
inventory, parts and maintenance call `log.record`, and a new item's or part's tag is claimed with
`tags.claim`.
"""
