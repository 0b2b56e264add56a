import pg from 'pg';
import type { Store } from '../store/index.js';
import type { AttemptDone, DeliveryService } from './delivery.service.js';
import type { DeliverableEvent } from './events.repository.js';
import { OUTBOX_CHANNEL } from './outbox.js';

export interface DispatcherOptions {
  store: Store;
  delivery: DeliveryService;
  /** How long a claim holds an event; must outlast an attempt (the HTTP timeout) and its recording. */
  leaseMs: number;
  /** Attempts in flight at once (per process). */
  maxInFlight?: number;
  /** Events claimed per statement. */
  claimBatch?: number;
  /** Attempt records stored per transaction, at most. */
  recordBatch?: number;
  /** Backstop poll for anything a missed notification or an expired claim left behind. */
  pollMs?: number;
  /** How long a notification waits for others to join it before the dispatcher claims. */
  coalesceMs?: number;
  onError?: (error: unknown) => void;
}

export interface Dispatcher {
  kick(): void;
  /** Stops claiming, waits up to `drainMs` for attempts in flight and records what finished. */
  stop(drainMs?: number): Promise<void>;
}

/**
 * Makes the first attempt of every committed outbox event straight from the outbox, without a queue job: an
 * event is claimed for a lease (SKIP LOCKED, so several processes split the work), sent, and its attempt
 * recorded, which takes it out of the outbox; a retry then goes on the durable queue in the same transaction.
 * Attempts are recorded as they finish, many per transaction, so a slow receiver holds up nothing but itself.
 * A crash between claim and record leaves the claim to expire: the event is sent again (at least once).
 */
export async function startDispatcher(options: DispatcherOptions): Promise<Dispatcher> {
  const { store, delivery, leaseMs } = options;
  const maxInFlight = options.maxInFlight ?? 256;
  const claimBatch = Math.min(options.claimBatch ?? 100, maxInFlight);
  const recordBatch = options.recordBatch ?? 500;
  const onError = options.onError ?? (() => {});
  const inFlight = new Set<Promise<void>>();
  let done: AttemptDone[] = [];
  let claiming: Promise<void> | undefined;
  let recording: Promise<void> | undefined;
  let again = false;
  let starved = false;
  let stopped = false;
  let abandoned = false;

  function send(event: DeliverableEvent): void {
    const p = delivery
      .attempt(event, event.attempts + 1)
      .then((d) => {
        if (abandoned) return; // stop() gave up waiting: the claim expires and the event is sent again
        done.push(d);
        flush();
      }, onError) // unrecorded: the claim expires and the event is sent again
      .finally(() => {
        inFlight.delete(p);
        if (starved && inFlight.size <= maxInFlight - claimBatch) {
          starved = false;
          kick();
        }
      });
    inFlight.add(p);
  }

  // One claim statement at a time per process; bursts of kicks collapse into back-to-back claims.
  function kick(): void {
    if (stopped) return;
    if (claiming) {
      again = true;
      return;
    }
    // `.finally` runs after the assignment even when the pass ends without awaiting anything.
    claiming = (async () => {
      try {
        do {
          again = false;
          while (!stopped) {
            const room = maxInFlight - inFlight.size;
            if (room < claimBatch) {
              starved = true;
              break;
            }
            const events = await delivery.claim(claimBatch, leaseMs);
            for (const event of events) send(event);
            if (events.length < claimBatch) break;
          }
        } while (again && !stopped);
      } catch (error) {
        onError(error);
      }
    })().finally(() => {
      claiming = undefined;
      if (again) kick(); // a kick that came after the loop's last look
    });
  }

  // One recording transaction at a time; what finishes meanwhile goes into the next one.
  function flush(): void {
    if (recording || done.length === 0) return;
    recording = (async () => {
      while (done.length > 0) {
        const batch = done.slice(0, recordBatch);
        done = done.slice(batch.length);
        await delivery.record(batch, true).catch(onError); // unrecorded: the claims expire, sent again
      }
    })().finally(() => {
      recording = undefined;
    });
  }

  // A notification arrives per committed event: wait a moment so that a burst becomes one claim.
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
    async stop(drainMs = 20_000) {
      stopped = true;
      clearInterval(timer);
      if (soon) clearTimeout(soon);
      await unlisten();
      await claiming;
      let timeout: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.allSettled([...inFlight]),
        new Promise((resolve) => {
          timeout = setTimeout(resolve, drainMs);
        }),
      ]);
      clearTimeout(timeout);
      abandoned = true;
      await recording;
      flush();
      await recording;
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
    const c = new pg.Client({ connectionString, application_name: 'ferry-webhook-dispatcher' });
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
