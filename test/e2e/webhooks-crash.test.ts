import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClientsService } from '../../src/auth/index.js';
import { systemClock } from '../../src/shared/clock.js';
import { randomIds } from '../../src/shared/ids.js';
import { migrate, openStore, type Store } from '../../src/store/index.js';
import { recordEvent } from '../../src/webhooks/index.js';
import { exitOf, spawnFerry, waitForOutput } from '../support/cli-process.js';
import { testDatabaseUrl } from '../support/db-use.js';
import { createEmptyDatabase } from '../support/pg-admin.js';
import { startReceiver, waitFor } from '../support/webhook-receiver.js';
import { webhookUrlCheck } from '../support/webhook-url-check.js';

/**
 * Durability under kill -9: 1,000 events queued, a receiver answering slowly, the `ferry start` process killed
 * hard three times while deliveries are in flight. After the last restart every event id has reached the
 * receiver at least once and every event is recorded as delivered. Runs on the embedded database by default
 * (the single-process deployment) and on PostgreSQL when TEST_DATABASE_URL is set.
 */
const EVENTS = 1000;
const SLOW_MS = 1200;
const onPostgres = Boolean(testDatabaseUrl());

describe(`webhook delivery survives kill -9 (${onPostgres ? 'PostgreSQL' : 'embedded PGlite'})`, () => {
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let dataDir: string | undefined;
  let pgDb: { url: string; drop(): Promise<void> } | undefined;
  let env: Record<string, string>;
  const eventIds: string[] = [];
  const children: ChildProcess[] = [];

  const openDb = (): Promise<Store> =>
    pgDb ? openStore({ databaseUrl: pgDb.url }) : openStore({ dataDir: dataDir! });

  beforeAll(async () => {
    receiver = await startReceiver(async () => {
      await new Promise((r) => setTimeout(r, SLOW_MS));
      return 200;
    });
    if (onPostgres) pgDb = await createEmptyDatabase('ferry_crash');
    else dataDir = mkdtempSync(path.join(tmpdir(), 'ferry-crash-'));
    env = {
      ...(pgDb ? { DATABASE_URL: pgDb.url } : { FERRY_DATA_DIR: dataDir! }),
      FERRY_MASTER_KEY: randomBytes(32).toString('hex'),
      PORT: '0',
      LOG_LEVEL: 'error',
      WEBHOOK_TIMEOUT_MS: '3000',
      WEBHOOK_RETRY_SCHEDULE: '1s,1s,2s,2s,5s,10s',
      WEBHOOK_TEST_RETRY_SCHEDULE: '1s,1s,2s,2s,5s,10s',
    };
    // Queue the events before Ferry first starts (an embedded database admits one process at a time).
    const store = await openDb();
    try {
      await migrate(store);
      const clients = createClientsService({
        db: store.db,
        clock: systemClock,
        ids: randomIds,
        checkWebhookUrl: webhookUrlCheck,
      });
      const { client } = await clients.create({ name: 'Crash shop', webhookUrl: `${receiver.url}/hook` });
      for (let i = 0; i < EVENTS; i += 100) {
        await store.db.transaction().execute(async (tx) => {
          for (let j = i; j < i + 100; j++) {
            eventIds.push(
              await recordEvent(tx, {
                type: 'link_status_update',
                clientId: client.id,
                objectId: `link-${j}`,
                payload: { link_id: `link-${j}`, web_id: `w${j}`, status: 'funds_received' },
              }),
            );
          }
        });
      }
    } finally {
      await store.close();
    }
  });

  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    await receiver?.close();
    await pgDb?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const start = async () => {
    const child = spawnFerry(['start'], env);
    children.push(child);
    await waitForOutput(child, (o) => o.includes('Ferry listening on'), 90_000);
    return child;
  };
  const uniqueReceived = () => new Set(receiver.received.map((r) => r.headers['x-webhook-id'] as string));

  it('delivers every one of 1,000 events at least once across three kill -9 restarts', async () => {
    const killedAt: number[] = [];
    for (const threshold of [150, 400, 650]) {
      const child = await start();
      await waitFor(() => receiver.received.length >= threshold, 120_000);
      child.kill('SIGKILL');
      await exitOf(child);
      killedAt.push(uniqueReceived().size);
    }
    // Every kill landed mid-run: events were still outstanding each time.
    for (const n of killedAt) expect(n).toBeLessThan(EVENTS);

    const last = await start();
    await waitFor(() => uniqueReceived().size >= EVENTS, 180_000);
    // Let retries of deliveries cut off by the kills settle (their attempts were never recorded).
    let seen = -1;
    await waitFor(async () => {
      const now = receiver.received.length;
      const quiet = now === seen;
      seen = now;
      await new Promise((r) => setTimeout(r, 3000));
      return quiet;
    }, 120_000);
    last.kill('SIGTERM');
    expect(await exitOf(last)).toBe(0);

    const received = uniqueReceived();
    const missing = eventIds.filter((id) => !received.has(id));
    expect(missing).toEqual([]);

    const store = await openDb();
    try {
      const states = await store.db
        .selectFrom('webhook_events')
        .select(({ fn }) => ['state', fn.countAll<string>().as('n')])
        .groupBy('state')
        .execute();
      expect(states).toEqual([{ state: 'delivered', n: String(EVENTS) }]);
    } finally {
      await store.close();
    }
    const duplicates = receiver.received.length - received.size;
    console.info(
      `crash test: kills after ${killedAt.join(', ')} unique deliveries; ${receiver.received.length} requests, ` +
        `${duplicates} redelivered (at-least-once), 0 lost`,
    );
    // Its own waits allow up to 7 minutes on a slow, shared machine; the default 60 s is far too short.
  }, 600_000);
});
