"""Web Push notifications (issue 20): subscriptions, VAPID keys, and delivery of planned reminders."""
