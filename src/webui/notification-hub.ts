import pg from 'pg';
import type { Store } from '../store/index.js';

/**
 * Fans PostgreSQL NOTIFY payloads out to in-process subscribers keyed by (channel, payload). One LISTEN
 * connection per process for every hosted page, opened on the first subscriber; each channel is LISTENed on it
 * once, when first asked for; a subscriber is called once when its LISTEN is in effect, so it reads again
 * what changed before that. Any API process learns of a change made by any other process.
 */
export interface NotificationHub {
  /** Calls `listener` on every NOTIFY on `channel` whose payload is `key`; returns the unsubscribe. */
  subscribe(channel: string, key: string, listener: () => void): () => void;
  close(): Promise<void>;
}

type Log = (message: string, detail?: Record<string, unknown>) => void;

interface Connection {
  listen(channel: string): Promise<void>;
  close(): Promise<void>;
}

const CHANNEL = /^[a-z_][a-z0-9_]*$/;

export function createNotificationHub(store: Store, log: Log = () => {}): NotificationHub {
  const listeners = new Map<string, Set<() => void>>();
  const listening = new Map<string, Promise<void>>();
  let connection: Promise<Connection> | undefined;
  let closed = false;
  const slot = (channel: string, key: string) => `${channel}\n${key}`;

  const dispatch = (channel: string, payload: string) => {
    for (const fn of listeners.get(slot(channel, payload)) ?? []) {
      try {
        fn();
      } catch (error) {
        log('live status listener failed', { error: (error as Error).message });
      }
    }
  };

  async function pglite(): Promise<Connection> {
    const db = store.pglite!;
    const unlisten: (() => Promise<void>)[] = [];
    return {
      async listen(channel) {
        unlisten.push(await db.listen(channel, (payload) => dispatch(channel, payload)));
      },
      async close() {
        if (!db.closed) await Promise.all(unlisten.map((fn) => fn()));
      },
    };
  }

  async function postgres(): Promise<Connection> {
    const options = store.pool!.options;
    const channels = new Set<string>();
    let client: pg.Client | undefined;
    let retry: NodeJS.Timeout | undefined;
    const connect = async (): Promise<void> => {
      if (closed) return;
      const c = new pg.Client({ ...options, application_name: 'ferry-live-status' } as pg.ClientConfig);
      c.on('notification', (n) => {
        if (n.payload && channels.has(n.channel)) dispatch(n.channel, n.payload);
      });
      c.on('error', (error) => {
        log('live status connection lost; reconnecting', { error: error.message });
        c.end().catch(() => {});
        if (client === c) client = undefined;
        if (!closed) retry = setTimeout(() => void connect().catch(() => {}), 1000);
      });
      await c.connect();
      // Set before the LISTENs: a channel asked for meanwhile is LISTENed twice rather than missed.
      client = c;
      for (const channel of channels) await c.query(`LISTEN ${channel}`);
    };
    await connect();
    return {
      async listen(channel) {
        channels.add(channel);
        await client?.query(`LISTEN ${channel}`);
      },
      async close() {
        if (retry) clearTimeout(retry);
        await client?.end().catch(() => {});
      },
    };
  }

  const connected = (): Promise<Connection> => {
    connection ??= (store.pglite ? pglite() : postgres()).catch((error) => {
      connection = undefined;
      throw error;
    });
    return connection;
  };

  return {
    subscribe(channel, key, listener) {
      if (!CHANNEL.test(channel)) throw new Error(`bad channel name ${channel}`);
      if (!listening.has(channel)) {
        listening.set(
          channel,
          connected()
            .then((c) => c.listen(channel))
            .catch((error) => {
              log('live status LISTEN failed', { channel, error: (error as Error).message });
              listening.delete(channel);
            }),
        );
      }
      const at = slot(channel, key);
      let set = listeners.get(at);
      if (!set) {
        set = new Set();
        listeners.set(at, set);
      }
      set.add(listener);
      // A change committed before the LISTEN took effect sends no notification this connection sees: once it
      // is in effect, the subscriber is called once to read the state again (else it would wait for its
      // heartbeat, 15 s on a hosted page).
      void listening.get(channel)?.then(() => {
        if (set.has(listener)) listener();
      });
      return () => {
        set.delete(listener);
        if (set.size === 0) listeners.delete(at);
      };
    },
    async close() {
      closed = true;
      listeners.clear();
      await Promise.all(listening.values());
      const c = await connection?.catch(() => undefined);
      await c?.close();
    },
  };
}
