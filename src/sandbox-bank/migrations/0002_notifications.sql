-- Outbox of funds notifications: the creditor side's answer (credited or rejected) to a settled payment, sent
-- to the payment initiator's bank-notification endpoint. Written when the payment is accepted, due at its
-- settlement time; a sender loop delivers due rows with backoff and records how each one ended.
CREATE TABLE sandbox_bank.notifications (
  id bigserial PRIMARY KEY,
  payment_id text NOT NULL UNIQUE,
  bank text NOT NULL,
  event text NOT NULL CHECK (event IN ('funds_received', 'funds_rejected')),
  reason text,
  first_due_at timestamptz NOT NULL,
  due_at timestamptz NOT NULL,
  attempts integer NOT NULL DEFAULT 0,
  last_status integer,
  last_error text,
  -- NULL while pending; then delivered (2xx), refused (the receiver does not know the payment or the event
  -- does not apply) or gave_up (retries exhausted).
  outcome text CHECK (outcome IN ('delivered', 'refused', 'gave_up')),
  sent_at timestamptz,
  created_at timestamptz NOT NULL
);
CREATE INDEX notifications_due_idx ON sandbox_bank.notifications (due_at) WHERE outcome IS NULL;
