-- First attempts are made straight from the outbox (no queue job): a dispatcher claims undispatched events for
-- a lease, sends them and records the attempts; `dispatched` then turns true and any retry goes on the queue.
-- A process that dies holding a claim leaves it to expire, and another dispatcher sends the event again.
ALTER TABLE webhook_events ADD COLUMN claimed_until timestamptz;
-- Room in each page for the claim's new row version: claiming then changes no indexed column and is a HOT
-- update (no index writes), which is most of what the database spends on a delivery.
ALTER TABLE webhook_events SET (fillfactor = 80);
