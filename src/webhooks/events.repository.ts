import { type Kysely, sql, type Transaction } from 'kysely';
import { type Database, withIndexPlans } from '../store/index.js';
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
  /** False while the round's first attempt is the outbox dispatcher's to make (new, or replayed). */
  dispatched: boolean;
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
      'e.dispatched',
      'c.mode',
      'c.webhook_url',
    ])
    .where('e.id', 'in', ids)
    .execute();
  return new Map(rows.map((r) => [r.id, toDeliverable(r)]));
}

/** The row both queries return (the event's columns, and the client's mode and default URL). */
type DeliverableRow = Pick<
  DeliverableEvent,
  'id' | 'type' | 'body' | 'url' | 'state' | 'attempts' | 'dispatched'
> & {
  round_attempts: number;
  mode: DeliverableEvent['clientMode'];
  webhook_url: string | null;
};

const toDeliverable = (r: DeliverableRow): DeliverableEvent => ({
  id: r.id,
  type: r.type,
  body: r.body,
  url: r.url,
  state: r.state,
  attempts: r.attempts,
  roundAttempts: r.round_attempts,
  dispatched: r.dispatched,
  clientMode: r.mode,
  clientUrl: r.webhook_url,
});

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
 * `dispatch`: these are first attempts of a round made from the outbox, and apply only to events still in it;
 * otherwise they are retries (queue jobs), which apply only to events out of it: a replay puts an event back
 * in the outbox, and from then on its old retry jobs are stale. Either way the event leaves the outbox.
 * One statement with a fixed text (the rows travel as arrays): prepared once, atomic on its own, and the same
 * cost whether it records one attempt or five hundred.
 */
export async function applyAttempts(
  db: Db,
  records: AttemptRecord[],
  dispatch = false,
): Promise<Set<string>> {
  if (records.length === 0) return new Set();
  const column = <T>(pick: (r: AttemptRecord) => T) => records.map(pick);
  // webhook_apply_attempts (migration 0007) pins the plan: index lookups per event, whatever the statistics say.
  const updated = await sql<{ id: string }>`
    SELECT id FROM webhook_apply_attempts(
      ${column((r) => r.eventId)}::uuid[], ${column((r) => r.attempt)}::int[],
      ${column((r) => r.roundAttempt)}::int[], ${column((r) => r.state)}::text[],
      ${column((r) => r.nextAttemptAt)}::timestamptz[], ${column((r) => r.statusCode)}::int[],
      ${column((r) => r.error)}::text[], ${column((r) => r.startedAt)}::timestamptz[],
      ${column((r) => r.at)}::timestamptz[], ${column((r) => r.url)}::text[], ${column((r) => r.kid)}::text[],
      ${column((r) => r.latencyMs)}::int[], ${column((r) => r.outcome)}::text[], ${dispatch}::boolean) AS id`.execute(
    db,
  );
  return new Set(updated.rows.map((r) => r.id));
}

/** The client's URL was removed after the event was recorded: nothing to deliver to any more. */
export async function markNoTarget(db: Db, ids: string[], at: Date): Promise<void> {
  if (ids.length === 0) return;
  await db
    .updateTable('webhook_events')
    .set({ state: 'no_target', next_attempt_at: null, updated_at: at, dispatched: true, claimed_until: null })
    .where('id', 'in', ids)
    .where('state', '=', 'pending')
    .execute();
}

/**
 * Claims up to `limit` events whose first attempt of the round is not yet made, oldest first, for `leaseMs`:
 * concurrent dispatchers split them (SKIP LOCKED), and a claim whose holder died expires and is taken again.
 */
export async function claimUndispatched(db: Db, limit: number, leaseMs: number): Promise<DeliverableEvent[]> {
  // webhook_claim (migration 0007) pins the plan: an ordered walk of the undispatched index, never a sort of the
  // whole backlog.
  const result = await sql<DeliverableRow>`
    SELECT * FROM webhook_claim(${limit}::int, ${leaseMs / 1000}::float8)`.execute(db);
  return result.rows.map(toDeliverable);
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

/**
 * One page of a client's events, newest first; fetches limit + 1 to tell whether there is more. The page walks
 * the client's (or the object's) index in order, whatever the statistics say; a filter that matches few of the
 * client's events still walks past the others.
 */
export async function listEvents(db: Db, clientId: string, f: EventFilter): Promise<EventRow[]> {
  return withIndexPlans(db, (tx) => listEventsPage(tx, clientId, f));
}

async function listEventsPage(db: Db, clientId: string, f: EventFilter): Promise<EventRow[]> {
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

/** Starts a new delivery round (replay): back to pending, retry schedule from the start, sent by a dispatcher. */
export async function resetForReplay(tx: Transaction<Database>, id: string, at: Date): Promise<void> {
  await tx
    .updateTable('webhook_events')
    .set({
      state: 'pending',
      round_attempts: 0,
      dispatched: false,
      claimed_until: null,
      next_attempt_at: at,
      updated_at: at,
    })
    .where('id', '=', id)
    .execute();
}
