"""Visitors of the neighbourhood (issue 30): a pass for a day or a week, no account, forgotten after a delay."""
