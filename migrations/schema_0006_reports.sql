-- Reminders (issue 8): the sent-log that makes each reminder go out once, across workers.

-- One row per (booking, reminder kind, recipient). The sender inserts it in the transaction that
-- sends the message and commits after the SMTP server accepted it, so a second worker racing on
-- the same reminder waits on the unique index and then finds it sent. A refused message leaves a
-- 'failed' row, which the next run claims again (ON CONFLICT ... WHERE status = 'failed').
-- The recipient is a user id, not an address: no personal data is copied here.
CREATE TABLE reminder_log (
    id            bigserial PRIMARY KEY,
    booking_id    bigint NOT NULL REFERENCES booking(id),
    kind          text NOT NULL CHECK (kind IN ('booking_start', 'loan_due', 'loan_overdue')),
    recipient_id  integer NOT NULL REFERENCES app_user(id),
    status        text NOT NULL CHECK (status IN ('sent', 'failed')),
    attempts      integer NOT NULL DEFAULT 1 CHECK (attempts > 0),
    last_error    text,
    last_tried_at timestamptz NOT NULL,
    sent_at       timestamptz,
    CONSTRAINT reminder_log_once UNIQUE (booking_id, kind, recipient_id),
    CONSTRAINT reminder_log_sent_has_time CHECK (status <> 'sent' OR sent_at IS NOT NULL)
);
