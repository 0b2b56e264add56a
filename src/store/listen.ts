import type pg from 'pg';
import type { Store } from './database.js';

export type NotifyHandler = (channel: string, payload: string) => void;

const CHANNEL = /^[a-z_][a-z0-9_]*$/;

/**
 * LISTENs on channels of the Store's database: in process on PGlite, or over one dedicated connection to the
 * server that reconnects by itself (and then reports an empty payload on every channel, since notifications
 * sent while it was away are lost: a listener should look again). Returns the function that stops listening.
 */
export async function listen(
  store: Store,
  channels: readonly string[],
  onNotify: NotifyHandler,
  options: { name: string; onError?: (error: unknown) => void },
): Promise<() => Promise<void>> {
  for (const c of channels) if (!CHANNEL.test(c)) throw new Error(`bad channel name ${c}`);
  const onError = options.onError ?? (() => {});
  if (store.pglite) {
    const pglite = store.pglite;
    const stops = await Promise.all(channels.map((c) => pglite.listen(c, (payload) => onNotify(c, payload))));
    return async () => {
      if (!pglite.closed) for (const stop of stops) await stop();
    };
  }
  if (!store.pool) return async () => {};
  const options_ = store.pool.options;
  const { default: driver } = await import('pg');
  let client: pg.Client | undefined;
  let closed = false;
  let retry: NodeJS.Timeout | undefined;
  let reconnecting = false;
  const again = (c: pg.Client) => {
    void c.end().catch(() => {});
    if (client === c) client = undefined;
    if (!closed) retry = setTimeout(() => void connect(), 1000);
  };
  const connect = async (): Promise<void> => {
    if (closed) return;
    const c = new driver.Client({ ...options_, application_name: options.name } as pg.ClientConfig);
    c.on('notification', (n) => onNotify(n.channel, n.payload ?? ''));
    c.on('error', (error) => {
      onError(error);
      reconnecting = true;
      again(c);
    });
    try {
      await c.connect();
      for (const channel of channels) await c.query(`LISTEN ${channel}`);
      client = c;
      if (reconnecting) for (const channel of channels) onNotify(channel, '');
      reconnecting = false;
    } catch (error) {
      onError(error);
      reconnecting = true;
      again(c);
    }
  };
  await connect();
  return async () => {
    closed = true;
    if (retry) clearTimeout(retry);
    await client?.end().catch(() => {});
  };
}
