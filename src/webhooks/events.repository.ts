import { type Kysely, sql, type Transaction } from 'kysely';
import type { Database } from '../store/index.js';
import type { AttemptOutcome, EventState } from './webhooks.schema.js';
import './webhooks.schema.js';

type Db = Kysely<Database> | Transaction<Database>;

export interface DeliverableEvent {
  id: string;
  type: string;
  body: string;
  url: string | null;
  state: EventState;
  attempts: number;
  roundAttempts: number;
  clientMode: 'test' | 'live';
  clientUrl: string | null;
}

export async function findDeliverable(db: Db, ids: string[]): Promise<Map<string, DeliverableEvent>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('webhook_events as e')
    .innerJoin('api_clients as c', 'c.id', 'e.client_id')
    .select([
      'e.id',
      'e.type',
      'e.body',
      'e.url',
      'e.state',
      'e.attempts',
      'e.round_attempts',
      'c.mode',
      'c.webhook_url',
    ])
    .where('e.id', 'in', ids)
    .execute();
  return new Map(
    rows.map((r) => [
      r.id,
      {
        id: r.id,
        type: r.type,
        body: r.body,
        url: r.url,
        state: r.state,
        attempts: r.attempts,
        roundAttempts: r.round_attempts,
        clientMode: r.mode,
        clientUrl: r.webhook_url,
      },
    ]),
  );
}

export interface AttemptRecord {
  eventId: string;
  attempt: number;
  roundAttempt: number;
  startedAt: Date;
  url: string;
  kid: string | null;
  statusCode: number | null;
  latencyMs: number;
  outcome: AttemptOutcome;
  error: string | null;
  state: EventState;
  nextAttemptAt: Date | null;
  at: Date;
}

/**
 * Applies attempt results. Each event is updated only if it is still pending at the attempt before this one,
 * so a job that runs twice (crash, expiry) cannot record the same attempt twice. Returns the applied ids.
 */
export async function applyAttempts(
  tx: Transaction<Database>,
  records: AttemptRecord[],
): Promise<Set<string>> {
  if (records.length === 0) return new Set();
  const values = sql.join(
    records.map(
      (r) =>
        sql`(${r.eventId}::uuid, ${r.attempt}::int, ${r.roundAttempt}::int, ${r.state}::text, ${r.nextAttemptAt}::timestamptz, ${r.statusCode}::int, ${r.error}::text, ${r.outcome === 'delivered' ? r.at : null}::timestamptz, ${r.at}::timestamptz)`,
    ),
  );
  const updated = await sql<{ id: string }>`
    UPDATE webhook_events e SET
      attempts = v.attempt, round_attempts = v.round_attempt, state = v.state, next_attempt_at = v.next_at,
      last_status = v.status_code, last_error = v.error, delivered_at = coalesce(v.delivered_at, e.delivered_at),
      updated_at = v.at
    FROM (VALUES ${values}) AS v(id, attempt, round_attempt, state, next_at, status_code, error, delivered_at, at)
    WHERE e.id = v.id AND e.attempts = v.attempt - 1 AND e.state = 'pending'
    RETURNING e.id`.execute(tx);
  const applied = new Set(updated.rows.map((r) => r.id));
  const rows = records.filter((r) => applied.has(r.eventId));
  if (rows.length > 0) {
    await tx
      .insertInto('webhook_attempts')
      .values(
        rows.map((r) => ({
          event_id: r.eventId,
          attempt: r.attempt,
          started_at: r.startedAt,
          url: r.url,
          kid: r.kid,
          status_code: r.statusCode,
          latency_ms: r.latencyMs,
          outcome: r.outcome,
          error: r.error,
        })),
      )
      .onConflict((oc) => oc.doNothing())
      .execute();
  }
  return applied;
}

/** The client's URL was removed after the event was recorded: nothing to deliver to any more. */
export async function markNoTarget(db: Db, ids: string[], at: Date): Promise<void> {
  if (ids.length === 0) return;
  await db
    .updateTable('webhook_events')
    .set({ state: 'no_target', next_attempt_at: null, updated_at: at })
    .where('id', 'in', ids)
    .where('state', '=', 'pending')
    .execute();
}

/** Outbox rows not yet on the queue, oldest first, locked so that concurrent relays split them. */
export async function lockUndispatched(
  tx: Transaction<Database>,
  limit: number,
): Promise<{ id: string; attempts: number }[]> {
  const result = await sql<{ id: string; attempts: number }>`
    SELECT id, attempts FROM webhook_events WHERE NOT dispatched
    ORDER BY created_at LIMIT ${limit} FOR UPDATE SKIP LOCKED`.execute(tx);
  return result.rows;
}

export async function markDispatched(tx: Transaction<Database>, ids: string[]): Promise<void> {
  await tx.updateTable('webhook_events').set({ dispatched: true }).where('id', 'in', ids).execute();
}

export interface EventRow {
  id: string;
  type: string;
  object_id: string;
  body: string;
  url: string | null;
  state: EventState;
  attempts: number;
  last_status: number | null;
  last_error: string | null;
  created_at: Date;
  delivered_at: Date | null;
  next_attempt_at: Date | null;
  /** Exact created_at (microseconds) for keysets. */
  created_key: string;
}

export interface EventFilter {
  types?: string[];
  objectId?: string;
  states?: EventState[];
  from?: Date;
  to?: Date;
  /** Keyset of the last item of the previous page. */
  after?: { createdAt: string; id: string };
  limit: number;
}

const createdKey = sql<string>`to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/** What the events API shows of an event (list and get read the same columns). */
const eventColumns = [
  'id',
  'type',
  'object_id',
  'body',
  'url',
  'state',
  'attempts',
  'last_status',
  'last_error',
  'created_at',
  'delivered_at',
  'next_attempt_at',
  createdKey.as('created_key'),
] as const;

/** One page of a client's events, newest first; fetches limit + 1 to tell whether there is more. */
export async function listEvents(db: Db, clientId: string, f: EventFilter): Promise<EventRow[]> {
  let q = db.selectFrom('webhook_events').select(eventColumns).where('client_id', '=', clientId);
  if (f.types?.length) q = q.where('type', 'in', f.types);
  if (f.objectId !== undefined) q = q.where('object_id', '=', f.objectId);
  if (f.states?.length) q = q.where('state', 'in', f.states);
  if (f.from) q = q.where('created_at', '>=', f.from);
  if (f.to) q = q.where('created_at', '<', f.to);
  if (f.after) {
    const { createdAt, id } = f.after;
    q = q.where(sql<boolean>`(created_at, id) < (${createdAt}::timestamptz, ${id}::uuid)`);
  }
  return q
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(f.limit + 1)
    .execute();
}

export async function findEvent(db: Db, clientId: string, id: string): Promise<EventRow | undefined> {
  return db
    .selectFrom('webhook_events')
    .select(eventColumns)
    .where('client_id', '=', clientId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function listAttempts(db: Db, eventId: string) {
  return db
    .selectFrom('webhook_attempts')
    .selectAll()
    .where('event_id', '=', eventId)
    .orderBy('attempt')
    .execute();
}

/** Starts a new delivery round (replay): back to pending, retry schedule from the start, queued by the relay. */
export async function resetForReplay(tx: Transaction<Database>, id: string, at: Date): Promise<void> {
  await tx
    .updateTable('webhook_events')
    .set({ state: 'pending', round_attempts: 0, dispatched: false, next_attempt_at: at, updated_at: at })
    .where('id', '=', id)
    .execute();
}
