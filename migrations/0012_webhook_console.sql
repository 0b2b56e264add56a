-- The operator console lists every client's webhook events newest first (filtered by state): walk this index
-- instead of sorting the table.
CREATE INDEX webhook_events_created_idx ON webhook_events (created_at DESC, id DESC);
