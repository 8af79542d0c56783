"""Parts that travel with an item (issue 19): a charger, a mouse, a spool holder; who holds a missing one."""
