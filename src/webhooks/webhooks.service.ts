import type { ApiClient } from '../auth/index.js';
import type { Config } from '../config/index.js';
import type { Clock } from '../shared/clock.js';
import { type CursorCodec, DEFAULT_PAGE_SIZE, type PageInfo, pageOf } from '../shared/cursor.js';
import { ApiError, notFound } from '../shared/errors.js';
import type { SecretBox } from '../shared/secret-box.js';
import { parseInstant } from '../shared/time-input.js';
import type { Store } from '../store/index.js';
import { type WorkerRegistry, wakeTask } from '../worker/index.js';
import { createDeliveryService, type DeliveryService } from './delivery.service.js';
import { replayableFrom } from './delivery-policy.js';
import { createDeliverTask } from './dispatcher.js';
import * as repo from './events.repository.js';
import { createHttpSender, type HttpSender } from './http-sender.js';
import { DELIVER_TASK } from './outbox.js';
import { createWebhookKeys, type WebhookKeys } from './signing-keys.js';
import { checkAllowList, checkTargetAtInput, type Resolver } from './ssrf.js';
import type { DeliveryAttemptBody } from './webhooks.responses.js';
import type { EventState } from './webhooks.schema.js';

export const ROTATE_TASK = 'webhooks.rotate-keys';

export interface WebhooksDeps {
  config: Config;
  store: Store;
  clock: Clock;
  secretBox: SecretBox;
  worker: WorkerRegistry;
  /** Signs and checks the events list's cursors. */
  cursors: CursorCodec;
  /** Where an attempt that failed inside Ferry, or a failed dispatch, is logged. */
  log?: { error(detail: Record<string, unknown>, message: string): void };
  resolver?: Resolver;
  random?: () => number;
  /** Told of every recorded delivery attempt (metrics). */
  onAttempt?: (outcome: string, seconds: number) => void;
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

/** The operator console's view: an event of any client's, named by the client's internal id. */
export type OperatorEvent = EventView & { client: string };

export interface OperatorEventSearch {
  /** The client's internal id; none for every client's. */
  client?: string;
  states?: EventState[];
  limit: number;
}

export interface WebhooksService {
  readonly keys: WebhookKeys;
  readonly delivery: DeliveryService;
  /** Checks a webhook/callback URL when a client gives one (400 validation_error on `field`). */
  validateUrl(url: string, mode: 'test' | 'live', field?: string): Promise<void>;
  list(client: ApiClient, input: ListInput): Promise<{ events: EventView[]; pagination: PageInfo }>;
  get(client: ApiClient, eventId: string): Promise<{ event: EventView; attempts: DeliveryAttemptBody[] }>;
  redeliver(client: ApiClient, eventId: string): Promise<EventView>;
  /** Every client's events, newest first (the operator console). */
  search(input: OperatorEventSearch): Promise<OperatorEvent[]>;
  /** Any client's event with its attempts (the operator console); 404 when there is none. */
  find(eventId: string): Promise<{ event: OperatorEvent; attempts: DeliveryAttemptBody[] }>;
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
  const { log } = deps;
  const delivery = createDeliveryService({
    config,
    store,
    clock,
    keys,
    sender,
    onInternalError: (err, eventId) => log?.error({ err, eventId }, 'webhook attempt failed inside Ferry'),
    ...(deps.resolver ? { resolver: deps.resolver } : {}),
    ...(deps.random ? { random: deps.random } : {}),
    ...(deps.onAttempt ? { onAttempt: deps.onAttempt } : {}),
  });

  worker.add(
    createDeliverTask({
      delivery,
      leaseMs: dispatchLeaseMs(config.webhooks.timeoutMs),
      // The embedded database is one connection shared with the API: smaller claims keep requests moving.
      ...(store.kind === 'pglite' ? { maxInFlight: 128, claimBatch: 50 } : {}),
      // Retries come due by the clock, not by a wake: the backstop poll finds them, at most a second late (an
      // idle claim is one index probe).
      pollMs: 1000,
      onError: (err) => log?.error({ err }, 'webhook dispatch failed'),
    }),
  );
  // Every hour: the current key is replaced once it is older than WEBHOOK_KEY_ROTATION_DAYS (idempotent: a
  // second worker finds it fresh).
  worker.add({
    name: ROTATE_TASK,
    everyMs: 3_600_000,
    round: async () => ((await keys.rotateIfDue()) ? 'done' : 'idle'),
  });
  worker.onStart(async () => {
    await keys.ensure();
    await keys.rotateIfDue();
    return () => sender.close();
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

  const operatorView = (row: repo.EventRow): OperatorEvent => ({ ...toView(row), client: row.client_id });
  const attemptsOf = async (eventId: string): Promise<DeliveryAttemptBody[]> =>
    (await repo.listAttempts(store.db, eventId)).map((a) => ({
      attempt: a.attempt,
      started_at: a.started_at.toISOString(),
      url: a.url,
      kid: a.kid,
      status_code: a.status_code,
      latency_ms: a.latency_ms,
      outcome: a.outcome,
      error: a.error,
    }));

  async function ownEvent(client: ApiClient, eventId: string): Promise<repo.EventRow> {
    const row = UUID.test(eventId) ? await repo.findEvent(store.db, client.id, eventId) : undefined;
    if (!row) throw notFound('webhook event');
    return row;
  }

  return {
    keys,
    delivery,

    async validateUrl(url, mode, field = 'webhook_url') {
      await checkTargetAtInput(url, { mode, allowHosts: config.webhooks.allowHosts }, field, deps.resolver);
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
      return { event: toView(row), attempts: await attemptsOf(row.id) };
    },

    async search(input) {
      const rows = await repo.listEvents(store.db, input.client ?? null, {
        limit: input.limit,
        ...(input.states?.length ? { states: input.states } : {}),
      });
      return rows.slice(0, input.limit).map(operatorView);
    },

    async find(eventId) {
      const row = UUID.test(eventId) ? await repo.findEvent(store.db, null, eventId) : undefined;
      if (!row) throw notFound('webhook event');
      return { event: operatorView(row), attempts: await attemptsOf(row.id) };
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
        await wakeTask(tx, DELIVER_TASK);
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

const parseTime = (field: string, value: string) => parseInstant(field, value, { dates: true });
