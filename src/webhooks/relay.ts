import pg from 'pg';
import { fromKysely, type PgBoss } from 'pg-boss';
import type { Store } from '../store/index.js';
import type { DeliverJob } from './delivery.service.js';
import { DELIVER_QUEUE } from './delivery.service.js';
import * as repo from './events.repository.js';
import { OUTBOX_CHANNEL } from './outbox.js';

export interface RelayOptions {
  store: Store;
  boss: PgBoss;
  /** Backstop poll for anything a missed notification left behind (restart, dropped listener). */
  pollMs?: number;
  batch?: number;
  /** How long a notification waits for others to join it before the relay runs. */
  coalesceMs?: number;
  onError?: (error: unknown) => void;
}

/**
 * Moves committed outbox events onto the delivery queue. Each batch is locked (SKIP LOCKED, so several workers
 * split the work), inserted as jobs and marked dispatched in one transaction: an event is queued exactly once,
 * and a crash at any point leaves it either undispatched (picked up again) or queued.
 */
export async function startRelay(options: RelayOptions): Promise<{ stop(): Promise<void>; kick(): void }> {
  const { store, boss } = options;
  const batch = options.batch ?? 500;
  const onError = options.onError ?? (() => {});
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = false;

  async function relayOnce(): Promise<number> {
    return store.db.transaction().execute(async (tx) => {
      const rows = await repo.lockUndispatched(tx, batch);
      if (rows.length === 0) return 0;
      await boss.insert(
        DELIVER_QUEUE,
        rows.map((r) => ({ data: { eventId: r.id, attempt: r.attempts + 1 } satisfies DeliverJob })),
        { db: fromKysely(tx) },
      );
      await repo.markDispatched(
        tx,
        rows.map((r) => r.id),
      );
      return rows.length;
    });
  }

  // Coalesces bursts of notifications into back-to-back passes; one pass at a time per process.
  function kick(): void {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = (async () => {
      try {
        do {
          again = false;
          while (!stopped && (await relayOnce()) === batch) {}
        } while (again && !stopped);
      } catch (error) {
        onError(error);
      } finally {
        running = undefined;
      }
    })();
  }

  // A notification arrives per committed event: wait a moment so that a burst becomes one pass (one transaction
  // for many events) instead of a pass per event, which matters most on the single-connection embedded database.
  let soon: NodeJS.Timeout | undefined;
  const onNotify = () => {
    soon ??= setTimeout(() => {
      soon = undefined;
      kick();
    }, options.coalesceMs ?? 5);
  };
  const unlisten = await listen(store, OUTBOX_CHANNEL, onNotify, onError);
  const timer = setInterval(kick, options.pollMs ?? 1000);
  timer.unref();
  kick();

  return {
    kick,
    async stop() {
      stopped = true;
      clearInterval(timer);
      if (soon) clearTimeout(soon);
      await unlisten();
      await running;
    },
  };
}

/** LISTEN on the Store's database: PGlite in-process, or a dedicated connection to the server (reconnecting). */
async function listen(
  store: Store,
  channel: string,
  onNotify: () => void,
  onError: (error: unknown) => void,
): Promise<() => Promise<void>> {
  if (store.pglite) {
    return store.pglite.listen(channel, onNotify);
  }
  const connectionString = store.pool?.options.connectionString;
  if (!connectionString) return async () => {};
  let client: pg.Client | undefined;
  let closed = false;
  let retry: NodeJS.Timeout | undefined;
  const connect = async () => {
    if (closed) return;
    const c = new pg.Client({ connectionString, application_name: 'ferry-webhook-relay' });
    c.on('notification', onNotify);
    c.on('error', (error) => {
      onError(error);
      void c.end().catch(() => {});
      if (!closed) retry = setTimeout(connect, 1000);
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${channel}`);
      client = c;
      onNotify(); // anything committed while we were not listening
    } catch (error) {
      onError(error);
      void c.end().catch(() => {});
      if (!closed) retry = setTimeout(connect, 1000);
    }
  };
  await connect();
  return async () => {
    closed = true;
    if (retry) clearTimeout(retry);
    await client?.end().catch(() => {});
  };
}
