"""The FabLab solidaire programme (issue 29): partners, participants, workshops and their seats,
sign-ups and the waiting list, attendance, courses."""
