-- Idempotency-Key records: one per (client, key), kept 24 h. The first request inserts 'in_flight'
-- atomically; its response is stored when it completes; a retry with the same body replays it.
CREATE TABLE idempotency_keys (
  client_id        uuid NOT NULL,
  key              text NOT NULL,
  request_hash     text NOT NULL,
  state            text NOT NULL CHECK (state IN ('in_flight', 'done')),
  response_status  integer,
  response_body    text,
  locked_at        timestamptz NOT NULL,
  created_at       timestamptz NOT NULL,
  PRIMARY KEY (client_id, key)
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);

-- Fixed-window request counters per client and endpoint group, shared by every API process.
CREATE TABLE rate_limit_counters (
  client_id     uuid NOT NULL,
  bucket        text NOT NULL,
  window_start  timestamptz NOT NULL,
  hits          integer NOT NULL,
  PRIMARY KEY (client_id, bucket, window_start)
);
CREATE INDEX rate_limit_counters_window_idx ON rate_limit_counters (window_start);
