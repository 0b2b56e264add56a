-- One claim for every attempt (first attempts and retries alike: the durable queue is the outbox itself, no job
-- table beside it), and webhooks of one object (link, consent, job) delivered in the order they happened.
--
-- `sequence` increases per object: it is drawn from one sequence when the event is written, in the transaction of
-- the state change, and state changes of one object take its row lock first, so its events commit in the order of
-- their numbers. `hold_until`: while NULL, an undelivered event holds back the later events of its object; its
-- first failed attempt sets it to that time plus WEBHOOK_ORDER_HOLD, after which the later events go out and it
-- keeps retrying on its own (one receiver's refusal of one payload cannot hold an object for the 72 h schedule).

CREATE SEQUENCE webhook_event_seq;
ALTER TABLE webhook_events ADD COLUMN sequence bigint;
ALTER TABLE webhook_events ADD COLUMN hold_until timestamptz;
UPDATE webhook_events e SET sequence = s.n
  FROM (SELECT id, row_number() OVER (ORDER BY created_at, id) AS n FROM webhook_events) s
  WHERE s.id = e.id;
SELECT setval('webhook_event_seq', coalesce((SELECT max(sequence) FROM webhook_events), 0) + 1, false);
ALTER TABLE webhook_events ALTER COLUMN sequence SET DEFAULT nextval('webhook_event_seq');
ALTER TABLE webhook_events ALTER COLUMN sequence SET NOT NULL;

-- Events waiting when this runs: due now if never attempted, and holding no one back (they had no order before).
UPDATE webhook_events SET next_attempt_at = created_at WHERE state = 'pending' AND next_attempt_at IS NULL;
UPDATE webhook_events SET hold_until = updated_at WHERE state = 'pending';

DROP INDEX webhook_events_undispatched_idx;
CREATE INDEX webhook_events_due_idx ON webhook_events (next_attempt_at) WHERE state = 'pending';
CREATE INDEX webhook_events_pending_object_idx ON webhook_events (client_id, object_id, sequence)
  WHERE state = 'pending';

DROP FUNCTION webhook_claim(integer, float8);
DROP FUNCTION webhook_apply_attempts(uuid[], integer[], integer[], text[], timestamptz[], integer[], text[],
  timestamptz[], timestamptz[], text[], text[], integer[], text[], boolean);

-- Claims up to p_limit due events, earliest due first, for p_lease_secs, skipping any event of an object whose
-- earlier event is still undelivered and holding. p_now is Ferry's clock (tests move it by hand). The SET clauses
-- pin index plans whatever the statistics say (see migration 0007).
CREATE FUNCTION webhook_claim(p_now timestamptz, p_limit integer, p_lease_secs float8)
RETURNS TABLE (id uuid, type text, body text, url text, state text, attempts integer, round_attempts integer,
               dispatched boolean, mode text, webhook_url text)
LANGUAGE plpgsql
SET enable_seqscan = off SET enable_bitmapscan = off SET enable_sort = off
AS $$
#variable_conflict use_column
BEGIN
  RETURN QUERY
    UPDATE webhook_events e SET claimed_until = p_now + make_interval(secs => p_lease_secs)
    FROM api_clients c
    WHERE c.id = e.client_id AND e.id IN (
      SELECT w.id FROM webhook_events w
      WHERE w.state = 'pending' AND w.next_attempt_at <= p_now
        AND (w.claimed_until IS NULL OR w.claimed_until < p_now)
        AND NOT EXISTS (
          SELECT 1 FROM webhook_events b
          WHERE b.client_id = w.client_id AND b.object_id = w.object_id AND b.state = 'pending'
            AND b.sequence < w.sequence AND (b.hold_until IS NULL OR b.hold_until > p_now))
      ORDER BY w.next_attempt_at LIMIT p_limit FOR UPDATE SKIP LOCKED)
    RETURNING e.id, e.type, e.body, e.url, e.state, e.attempts, e.round_attempts, e.dispatched, c.mode::text,
      c.webhook_url;
END
$$;

-- Records attempts (one array element each): the event's new state and the attempt row, for events still at the
-- attempt before (so a result recorded already is not recorded twice). p_hold_until: for a retry, when the event
-- stops holding back its object's later events (kept from its first failure on). Returns the ids applied.
CREATE FUNCTION webhook_apply_attempts(
  p_ids uuid[], p_attempts integer[], p_rounds integer[], p_states text[], p_next_at timestamptz[],
  p_status integer[], p_errors text[], p_started_at timestamptz[], p_at timestamptz[], p_urls text[],
  p_kids text[], p_latency integer[], p_outcomes text[], p_hold_until timestamptz[])
RETURNS SETOF uuid
LANGUAGE plpgsql
SET enable_seqscan = off SET enable_bitmapscan = off
AS $$
BEGIN
  RETURN QUERY
    WITH v AS (
      SELECT * FROM unnest(p_ids, p_attempts, p_rounds, p_states, p_next_at, p_status, p_errors, p_started_at,
                           p_at, p_urls, p_kids, p_latency, p_outcomes, p_hold_until)
        AS v(id, attempt, round_attempt, state, next_at, status_code, error, started_at, at, url, kid, latency_ms,
             outcome, hold_until)
    ), upd AS (
      UPDATE webhook_events e SET
        attempts = v.attempt, round_attempts = v.round_attempt, state = v.state, next_attempt_at = v.next_at,
        last_status = v.status_code, last_error = v.error,
        delivered_at = CASE WHEN v.outcome = 'delivered' THEN v.at ELSE e.delivered_at END,
        hold_until = coalesce(e.hold_until, v.hold_until),
        updated_at = v.at, dispatched = true, claimed_until = NULL
      FROM v WHERE e.id = v.id AND e.attempts = v.attempt - 1 AND e.state = 'pending'
      RETURNING v.id, v.attempt, v.started_at, v.url, v.kid, v.status_code, v.latency_ms, v.outcome, v.error
    ), ins AS (
      INSERT INTO webhook_attempts (event_id, attempt, started_at, url, kid, status_code, latency_ms, outcome, error)
      SELECT upd.id, upd.attempt, upd.started_at, upd.url, upd.kid, upd.status_code, upd.latency_ms, upd.outcome,
             upd.error
      FROM upd
      ON CONFLICT DO NOTHING
    )
    SELECT upd.id FROM upd;
END
$$;
