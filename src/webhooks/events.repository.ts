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
  /** False until the round's first attempt is recorded (new, or replayed). */
  dispatched: boolean;
  clientMode: 'test' | 'live';
  clientUrl: string | null;
}

/** The row a claim returns (the event's columns, and the client's mode and default URL). */
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
  /** For a retry: until when the event holds back its object's later events (its first failure's counts). */
  holdUntil: Date | null;
  at: Date;
}

/**
 * Applies attempt results. Each event is updated only if it is still pending at the attempt before this one,
 * so an attempt made twice (a claim that expired and was taken again) is not recorded twice. Returns the
 * applied ids. One statement with a fixed text (the rows travel as arrays): prepared once, atomic on its own,
 * and the same cost whether it records one attempt or five hundred.
 */
export async function applyAttempts(db: Db, records: AttemptRecord[]): Promise<Set<string>> {
  if (records.length === 0) return new Set();
  const column = <T>(pick: (r: AttemptRecord) => T) => records.map(pick);
  // webhook_apply_attempts (migration 0009) pins the plan: index lookups per event, whatever the statistics say.
  const updated = await sql<{ id: string }>`
    SELECT id FROM webhook_apply_attempts(
      ${column((r) => r.eventId)}::uuid[], ${column((r) => r.attempt)}::int[],
      ${column((r) => r.roundAttempt)}::int[], ${column((r) => r.state)}::text[],
      ${column((r) => r.nextAttemptAt)}::timestamptz[], ${column((r) => r.statusCode)}::int[],
      ${column((r) => r.error)}::text[], ${column((r) => r.startedAt)}::timestamptz[],
      ${column((r) => r.at)}::timestamptz[], ${column((r) => r.url)}::text[], ${column((r) => r.kid)}::text[],
      ${column((r) => r.latencyMs)}::int[], ${column((r) => r.outcome)}::text[],
      ${column((r) => r.holdUntil)}::timestamptz[]) AS id`.execute(db);
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
 * Claims up to `limit` events whose next attempt is due at `now`, earliest first, for `leaseMs`: concurrent
 * workers split them (SKIP LOCKED), and a claim whose holder died expires and is taken again. An event waits
 * while an earlier event of its object is undelivered and holding (see migration 0009).
 */
export async function claimDue(
  db: Db,
  now: Date,
  limit: number,
  leaseMs: number,
): Promise<DeliverableEvent[]> {
  // webhook_claim (migration 0009) pins the plan: an ordered walk of the due index, never a sort of the backlog.
  const result = await sql<DeliverableRow>`
    SELECT * FROM webhook_claim(${now}::timestamptz, ${limit}::int, ${leaseMs / 1000}::float8)`.execute(db);
  return result.rows.map(toDeliverable);
}

export interface EventRow {
  id: string;
  /** The API client's internal id. */
  client_id: string;
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
  'client_id',
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
 * One page of a client's events (or, with `null`, every client's: the operator console), newest first; fetches
 * limit + 1 to tell whether there is more. The page walks the client's (the object's, or the created_at) index
 * in order, whatever the statistics say; a filter that matches few of the events still walks past the others.
 */
export async function listEvents(db: Db, clientId: string | null, f: EventFilter): Promise<EventRow[]> {
  return withIndexPlans(db, (tx) => listEventsPage(tx, clientId, f));
}

async function listEventsPage(db: Db, clientId: string | null, f: EventFilter): Promise<EventRow[]> {
  let q = db.selectFrom('webhook_events').select(eventColumns);
  if (clientId !== null) q = q.where('client_id', '=', clientId);
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

/** An event of the client's (or, with `null`, of any client's: the operator console). */
export async function findEvent(db: Db, clientId: string | null, id: string): Promise<EventRow | undefined> {
  let q = db.selectFrom('webhook_events').select(eventColumns).where('id', '=', id);
  if (clientId !== null) q = q.where('client_id', '=', clientId);
  return q.executeTakeFirst();
}

export async function listAttempts(db: Db, eventId: string) {
  return db
    .selectFrom('webhook_attempts')
    .selectAll()
    .where('event_id', '=', eventId)
    .orderBy('attempt')
    .execute();
}

/**
 * Starts a new delivery round (replay): back to pending and due now, retry schedule from the start. A replay
 * holds no later event back: they went out already.
 */
export async function resetForReplay(tx: Transaction<Database>, id: string, at: Date): Promise<void> {
  await tx
    .updateTable('webhook_events')
    .set({
      state: 'pending',
      round_attempts: 0,
      dispatched: false,
      claimed_until: null,
      next_attempt_at: at,
      hold_until: at,
      updated_at: at,
    })
    .where('id', '=', id)
    .execute();
}

/** Events waiting for delivery (due now or retrying later): the delivery queue's depth. */
export async function countPendingEvents(db: Kysely<Database>): Promise<number> {
  const row = await db
    .selectFrom('webhook_events')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('state', '=', 'pending')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
