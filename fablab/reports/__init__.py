"""Reports for staff and reminders for learners."""
