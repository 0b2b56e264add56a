import pg from 'pg';
import type { Store } from '../store/index.js';

/**
 * Fans PostgreSQL NOTIFY payloads out to in-process subscribers keyed by payload. One LISTEN connection per
 * process, opened on the first subscriber: any API process learns of a change made by any other process.
 */
export interface NotificationHub {
  subscribe(key: string, listener: () => void): () => void;
  close(): Promise<void>;
}

export function createNotificationHub(
  store: Store,
  channel: string,
  log: (message: string, detail?: Record<string, unknown>) => void = () => {},
): NotificationHub {
  if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`bad channel name ${channel}`);
  const listeners = new Map<string, Set<() => void>>();
  let started: Promise<void> | undefined;
  let stop: (() => Promise<void>) | undefined;
  let closed = false;

  const dispatch = (payload: string) => {
    for (const fn of listeners.get(payload) ?? []) {
      try {
        fn();
      } catch (error) {
        log('live status listener failed', { error: (error as Error).message });
      }
    }
  };

  async function listenPglite(): Promise<void> {
    const unlisten = await store.pglite!.listen(channel, dispatch);
    stop = async () => {
      if (!store.pglite!.closed) await unlisten();
    };
  }

  async function listenPostgres(): Promise<void> {
    const options = store.pool!.options;
    let client: pg.Client | undefined;
    let retry: NodeJS.Timeout | undefined;
    const connect = async (): Promise<void> => {
      if (closed) return;
      const c = new pg.Client({ ...options, application_name: 'ferry-live-status' } as pg.ClientConfig);
      c.on('notification', (n) => {
        if (n.channel === channel && n.payload) dispatch(n.payload);
      });
      c.on('error', (error) => {
        log('live status connection lost; reconnecting', { error: error.message });
        c.end().catch(() => {});
        if (client === c) client = undefined;
        if (!closed) retry = setTimeout(() => void connect().catch(() => {}), 1000);
      });
      await c.connect();
      await c.query(`LISTEN ${channel}`);
      client = c;
    };
    await connect();
    stop = async () => {
      if (retry) clearTimeout(retry);
      await client?.end().catch(() => {});
    };
  }

  return {
    subscribe(key, listener) {
      if (!started) {
        started = (store.pglite ? listenPglite() : listenPostgres()).catch((error) => {
          log('live status LISTEN failed', { error: (error as Error).message });
          started = undefined;
        });
      }
      let set = listeners.get(key);
      if (!set) {
        set = new Set();
        listeners.set(key, set);
      }
      set.add(listener);
      return () => {
        set.delete(listener);
        if (set.size === 0) listeners.delete(key);
      };
    },
    async close() {
      closed = true;
      listeners.clear();
      await started;
      await stop?.();
    },
  };
}
