import { sql } from 'kysely';
import type { PgBoss } from 'pg-boss';
import type { Logger } from 'pino';
import type { ApiClient } from '../auth/index.js';
import type { Config } from '../config/index.js';
import type { Clock } from '../shared/clock.js';
import { type CursorCodec, DEFAULT_PAGE_SIZE, type PageInfo, pageOf } from '../shared/cursor.js';
import { ApiError, notFound, validationError } from '../shared/errors.js';
import type { SecretBox } from '../shared/secret-box.js';
import type { Store } from '../store/index.js';
import type { WorkerRegistry } from '../worker/index.js';
import {
  createDeliveryService,
  DELIVER_QUEUE,
  type DeliverJob,
  type DeliveryService,
} from './delivery.service.js';
import { replayableFrom } from './delivery-policy.js';
import { startDispatcher } from './dispatcher.js';
import * as repo from './events.repository.js';
import { createHttpSender, type HttpSender } from './http-sender.js';
import { OUTBOX_CHANNEL } from './outbox.js';
import { createWebhookKeys, type WebhookKeys } from './signing-keys.js';
import { checkAllowList, type Resolver, validateTargetUrl } from './ssrf.js';
import type { EventState } from './webhooks.schema.js';

export const ROTATE_QUEUE = 'webhook-keys-rotate';

export interface WebhooksDeps {
  config: Config;
  store: Store;
  clock: Clock;
  secretBox: SecretBox;
  worker: WorkerRegistry;
  /** Signs and checks the events list's cursors. */
  cursors: CursorCodec;
  resolver?: Resolver;
  random?: () => number;
}

export interface EventView {
  event_id: string;
  type: string;
  object_id: string;
  status: EventState;
  url: string | null;
  payload: unknown;
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  created_at: string;
  delivered_at: string | null;
  next_attempt_at: string | null;
  keyset: string;
}

export interface ListInput {
  types?: string[];
  objectId?: string;
  states?: EventState[];
  from?: string;
  to?: string;
  after?: string;
  limit?: number;
}

export interface WebhooksService {
  readonly keys: WebhookKeys;
  readonly delivery: DeliveryService;
  /** Checks a webhook/callback URL when a client gives one (400 validation_error on `field`). */
  validateUrl(url: string, mode: 'test' | 'live', field?: string): void;
  list(client: ApiClient, input: ListInput): Promise<{ events: EventView[]; pagination: PageInfo }>;
  get(client: ApiClient, eventId: string): Promise<{ event: EventView; attempts: Record<string, unknown>[] }>;
  redeliver(client: ApiClient, eventId: string): Promise<EventView>;
  close(): Promise<void>;
}

export function createWebhooksService(deps: WebhooksDeps): WebhooksService {
  const { config, store, clock, secretBox, worker } = deps;
  const cursor = deps.cursors.list('webhook_events', ['timestamp', 'uuid']);
  const cursorOf = (row: repo.EventRow) => cursor.encode([row.created_key, row.id]);
  checkAllowList(config.webhooks.allowHosts);
  const keys = createWebhookKeys({
    db: store.db,
    secretBox,
    clock,
    alg: config.webhooks.signingAlg,
    rotationDays: config.webhooks.keyRotationDays,
  });
  const sender: HttpSender = createHttpSender();
  let boss: PgBoss | undefined;
  let log: Logger | undefined;
  const delivery = createDeliveryService({
    config,
    store,
    clock,
    keys,
    sender,
    boss: () => boss,
    onInternalError: (err, eventId) => log?.error({ err, eventId }, 'webhook attempt failed inside Ferry'),
    ...(deps.resolver ? { resolver: deps.resolver } : {}),
    ...(deps.random ? { random: deps.random } : {}),
  });

  // Crash or expiry retries of the job itself; HTTP failures are retried by the delivery schedule instead.
  worker.register<DeliverJob>({
    name: DELIVER_QUEUE,
    queue: {
      retryLimit: 50,
      retryDelay: 2,
      expireInSeconds: 2 * Math.ceil(config.webhooks.timeoutMs / 1000) + 10,
    },
    // Attempts of a batch are recorded together once all of its requests end, so a hanging receiver holds up
    // its batch (for up to the timeout): small batches and several pollers keep that from stalling the rest.
    // The embedded database is one connection: fewer, larger fetches serve it better.
    batchSize: store.kind === 'pglite' ? 50 : 25,
    localConcurrency: store.kind === 'pglite' ? 3 : 8,
    // New jobs wake the pollers through NOTIFY; polling only finds retries coming due, so it follows the schedule,
    // between 1 s (the default test-mode schedule starts at 500 ms: its first retry may come up to 1 s late) and
    // 5 s: the pollers' idle fetches cost the database something on every deployment.
    pollingIntervalSeconds: Math.min(
      5,
      Math.max(
        1,
        Math.min(...config.webhooks.retryScheduleMs, ...config.webhooks.testRetryScheduleMs, 10_000) / 2000,
      ),
    ),
    handleBatch: async (jobs) => (await delivery.deliver(jobs.map((j) => j.data))).map((r) => r.outcome),
  });
  worker.register<Record<string, never>>({
    name: ROTATE_QUEUE,
    queue: { retryLimit: 5, retryDelay: 60 },
    handle: async () => {
      const rotated = await keys.rotateIfDue();
      return rotated
        ? { status: 'completed', detail: `rotated: current ${rotated.current}` }
        : { status: 'skipped', detail: 'current key is not due' };
    },
  });
  worker.schedule({ queue: ROTATE_QUEUE, cron: '17 * * * *' });
  worker.onStart(async (started, workerLog) => {
    boss = started;
    log = workerLog;
    await keys.ensure();
    await keys.rotateIfDue();
    const dispatcher = await startDispatcher({
      store,
      delivery,
      leaseMs: dispatchLeaseMs(config.webhooks.timeoutMs),
      // The embedded database is one connection shared with the API: smaller claims keep requests moving.
      ...(store.kind === 'pglite' ? { maxInFlight: 128, claimBatch: 50 } : {}),
      onError: (err) => workerLog.error({ err }, 'webhook dispatch failed'),
    });
    return async () => {
      await dispatcher.stop();
      await sender.close();
    };
  });

  const toView = (row: repo.EventRow): EventView => ({
    event_id: row.id,
    type: row.type,
    object_id: row.object_id,
    status: row.state,
    url: row.url,
    payload: JSON.parse(row.body),
    attempts: row.attempts,
    last_status_code: row.last_status,
    last_error: row.last_error,
    created_at: row.created_at.toISOString(),
    delivered_at: row.delivered_at?.toISOString() ?? null,
    next_attempt_at: row.next_attempt_at?.toISOString() ?? null,
    keyset: cursorOf(row),
  });

  async function ownEvent(client: ApiClient, eventId: string): Promise<repo.EventRow> {
    const row = UUID.test(eventId) ? await repo.findEvent(store.db, client.id, eventId) : undefined;
    if (!row) throw notFound('webhook event');
    return row;
  }

  return {
    keys,
    delivery,

    validateUrl(url, mode, field = 'webhook_url') {
      validateTargetUrl(url, { mode, allowHosts: config.webhooks.allowHosts }, field);
    },

    async list(client, input) {
      const limit = input.limit ?? DEFAULT_PAGE_SIZE;
      const keyset = cursor.decode(input.after);
      const rows = await repo.listEvents(store.db, client.id, {
        limit,
        ...(input.types ? { types: input.types } : {}),
        ...(input.objectId !== undefined ? { objectId: input.objectId } : {}),
        ...(input.states ? { states: input.states } : {}),
        ...(input.from ? { from: parseTime('filter.created_at_from', input.from) } : {}),
        ...(input.to ? { to: parseTime('filter.created_at_to', input.to) } : {}),
        ...(keyset ? { after: { createdAt: keyset[0], id: keyset[1] } } : {}),
      });
      const { page, pagination } = pageOf(rows, limit, cursorOf);
      return { events: page.map(toView), pagination };
    },

    async get(client, eventId) {
      const row = await ownEvent(client, eventId);
      const attempts = await repo.listAttempts(store.db, row.id);
      return {
        event: toView(row),
        attempts: attempts.map((a) => ({
          attempt: a.attempt,
          started_at: a.started_at.toISOString(),
          url: a.url,
          kid: a.kid,
          status_code: a.status_code,
          latency_ms: a.latency_ms,
          outcome: a.outcome,
          error: a.error,
        })),
      };
    },

    async redeliver(client, eventId) {
      const row = await ownEvent(client, eventId);
      if (!replayableFrom[row.state]) throw new ApiError('unprocessable_entity', `Event is ${row.state}.`);
      if (!row.url && !client.webhookUrl) {
        throw new ApiError(
          'unprocessable_entity',
          'The event has no webhook URL and the client has no default.',
          {
            field: 'event_id',
          },
        );
      }
      await store.db.transaction().execute(async (tx) => {
        await repo.resetForReplay(tx, row.id, clock.now());
        await sql`SELECT pg_notify(${OUTBOX_CHANNEL}, ${row.id})`.execute(tx);
      });
      return toView((await repo.findEvent(store.db, client.id, row.id))!);
    },

    async close() {
      await sender.close();
    },
  };
}

/** A claim outlasts two full attempts (the HTTP timeout) plus time to record them. */
export const dispatchLeaseMs = (timeoutMs: number) => 2 * timeoutMs + 5_000;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function parseTime(field: string, value: string): Date {
  const date = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(date.getTime())) {
    throw validationError(field, 'must be an ISO 8601 date or date-time');
  }
  return date;
}
