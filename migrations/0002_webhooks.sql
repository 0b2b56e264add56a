-- Webhook outbox: one row per event, written in the same transaction as the state change that caused it.
-- `body` is the exact JSON text that is signed and sent, so every retry and replay sends identical bytes.
CREATE TABLE webhook_events (
  id               uuid PRIMARY KEY,
  type             text NOT NULL,
  client_id        uuid NOT NULL REFERENCES api_clients (id) ON DELETE CASCADE,
  object_id        text NOT NULL,
  body             text NOT NULL,
  -- Explicit target (link/consent webhook_url, job callback_url); NULL means the client's default at delivery.
  url              text,
  state            text NOT NULL CHECK (state IN ('pending', 'delivered', 'failed', 'gone', 'no_target')),
  -- Attempts ever made, and attempts since the last (re)delivery request (indexes the retry schedule).
  attempts         integer NOT NULL DEFAULT 0,
  round_attempts   integer NOT NULL DEFAULT 0,
  -- False until the relay has put a delivery job on the queue (set in the same transaction as the job).
  dispatched       boolean NOT NULL DEFAULT false,
  next_attempt_at  timestamptz,
  last_status      integer,
  last_error       text,
  delivered_at     timestamptz,
  created_at       timestamptz NOT NULL,
  updated_at       timestamptz NOT NULL
);
CREATE INDEX webhook_events_client_idx ON webhook_events (client_id, created_at DESC, id DESC);
CREATE INDEX webhook_events_object_idx ON webhook_events (client_id, object_id, created_at DESC, id DESC);
CREATE INDEX webhook_events_undispatched_idx ON webhook_events (created_at) WHERE NOT dispatched;

-- Every delivery attempt, kept for the API and for operators.
CREATE TABLE webhook_attempts (
  event_id     uuid NOT NULL REFERENCES webhook_events (id) ON DELETE CASCADE,
  attempt      integer NOT NULL,
  started_at   timestamptz NOT NULL,
  url          text NOT NULL,
  kid          text,
  status_code  integer,
  latency_ms   integer NOT NULL,
  outcome      text NOT NULL CHECK (outcome IN ('delivered', 'retry', 'gone', 'failed')),
  error        text,
  PRIMARY KEY (event_id, attempt)
);
