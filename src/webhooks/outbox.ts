import { randomUUID } from 'node:crypto';
import { type Kysely, sql, type Transaction } from 'kysely';
import { InternalError } from '../shared/errors.js';
import type { Database } from '../store/index.js';
import { WORK_CHANNEL } from '../worker/index.js';
import './webhooks.schema.js';

/** The worker task that delivers the outbox; a committed event wakes it (NOTIFY is transactional). */
export const DELIVER_TASK = 'webhooks.deliver';

export interface OutboxEvent {
  type: string;
  /** api_clients.id (uuid). */
  clientId: string;
  objectId: string;
  payload: Record<string, unknown>;
  /** Link/consent webhook_url or job callback_url; null or absent means the client's default. */
  url?: string | null;
  /** Defaults to a random uuid; callers with an injected id source may pass one. */
  id?: string;
  /** Defaults to the database clock; callers with an injected clock pass theirs. */
  at?: Date;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Writes an outbox event in the caller's transaction; the worker delivers it later. Returns the event id.
 * The body is serialised here, once: the same bytes are signed and sent on every attempt and replay. It ends
 * with `event_id`, `occurred_at` and `sequence` (increasing per object), so a receiver can order and deduplicate.
 * Callers are Ferry's own state changes, never an API client: a malformed event is an InternalError.
 */
export async function recordEvent(
  db: Kysely<Database> | Transaction<Database>,
  event: OutboxEvent,
): Promise<string> {
  const refused = (why: string) => new InternalError(`recordEvent(${event.type}, ${event.objectId}): ${why}`);
  if (!event.type || event.type.length > 64) throw refused('the type must be 1 to 64 characters');
  if (event.payload.type !== undefined && event.payload.type !== event.type) {
    throw refused(`payload.type ${String(event.payload.type)} differs from the event type`);
  }
  if (!UUID.test(event.clientId)) throw refused(`no API client with id ${event.clientId}`);
  const url = event.url ?? null;
  if (url !== null && !URL.canParse(url)) throw refused('the webhook URL is not an absolute URL');
  const id = event.id ?? randomUUID();
  const { type: _ignored, event_id: _id, occurred_at: _at, sequence: _seq, ...rest } = event.payload;
  // Without its closing brace: the statement appends the three fields it alone knows (sequence, the time).
  const head = JSON.stringify({ type: event.type, ...rest, event_id: id }).slice(0, -1);
  const at = event.at ?? null;

  // One statement: number the event, insert it (resolving whether there is any target at all), wake the worker.
  // The time is cut to Ferry's clock's precision (ms): an event recorded in the millisecond a claim runs is due.
  const result = await sql<{ id: string; state: string }>`
    WITH n AS (
      SELECT nextval('webhook_event_seq') AS seq, date_trunc('milliseconds', coalesce(${at}::timestamptz, now())) AS at
    ), ins AS (
      INSERT INTO webhook_events (id, type, client_id, object_id, body, url, state, dispatched, sequence,
                                  next_attempt_at, created_at, updated_at)
      SELECT ${id}, ${event.type}, c.id, ${event.objectId},
             ${head}::text || ',"occurred_at":"' || to_char(n.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
               || '","sequence":' || n.seq || '}',
             ${url},
             CASE WHEN coalesce(${url}::text, c.webhook_url) IS NULL THEN 'no_target' ELSE 'pending' END,
             coalesce(${url}::text, c.webhook_url) IS NULL, n.seq,
             CASE WHEN coalesce(${url}::text, c.webhook_url) IS NULL THEN NULL ELSE n.at END, n.at, n.at
      FROM api_clients c, n WHERE c.id = ${event.clientId}::uuid
      RETURNING id, state
    )
    SELECT ins.id, ins.state, CASE WHEN ins.state = 'pending' THEN pg_notify(${WORK_CHANNEL}, ${DELIVER_TASK}) END
    FROM ins`.execute(db);
  if (result.rows.length === 0) throw refused(`no API client with id ${event.clientId}`);
  return id;
}
