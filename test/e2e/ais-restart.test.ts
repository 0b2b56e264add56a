import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClientsService } from '../../src/auth/index.js';
import { createFaults } from '../../src/sandbox-bank/faults.service.js';
import { defaultTiming } from '../../src/sandbox-bank/index.js';
import { driveSca, seedCredentials } from '../../src/sandbox-bank/test-support/sca-driver.js';
import { systemClock } from '../../src/shared/clock.js';
import { randomIds } from '../../src/shared/ids.js';
import { migrate, openStore, type Store } from '../../src/store/index.js';
import { exitOf, spawnFerry, waitForOutput } from '../support/cli-process.js';
import { csrfOf } from '../support/csrf.js';
import { freePort } from '../support/free-port.js';
import { needs } from '../support/needs.js';
import { createEmptyDatabase } from '../support/pg-admin.js';
import { webhookUrlCheck } from '../support/webhook-url-check.js';

/**
 * A refresh job survives the death of its process: `ferry start` (API, sandbox bank and the worker in one
 * process, on PostgreSQL) is killed with SIGKILL while the first job of a consent is fetching transactions (the
 * bank is made slow for that one call). A new `ferry start` takes the job over once the dead process's lease
 * lapses, resumes it from where it stopped, and the consent becomes active with every line exactly once.
 */

const server = await needs('postgres');

describe.skipIf(!server)('an AIS job across kill -9 of ferry start', () => {
  let db: { url: string; drop(): Promise<void> };
  let store: Store;
  let env: Record<string, string>;
  let url: string;
  let creds: { client_id: string; client_secret: string };
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    db = await createEmptyDatabase('ferry_ais_restart');
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    env = {
      DATABASE_URL: db.url,
      FERRY_MASTER_KEY: randomBytes(32).toString('hex'),
      PORT: String(port),
      PUBLIC_URL: url,
      LOG_LEVEL: 'error',
      RATE_LIMITS: 'default=0,pay=0,ais=0',
    };
    store = await openStore({ databaseUrl: db.url });
    await migrate(store);
    const clients = createClientsService({
      db: store.db,
      clock: systemClock,
      ids: randomIds,
      checkWebhookUrl: webhookUrlCheck,
    });
    const { client, clientSecret } = await clients.create({ name: 'Restart App', mode: 'test' });
    creds = { client_id: client.clientId, client_secret: clientSecret };
  });

  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    await store?.close();
    await db?.drop();
  });

  const start = async () => {
    const child = spawnFerry(['start'], env);
    children.push(child);
    await waitForOutput(child, (o) => o.includes('Ferry listening on'), 90_000);
    return child;
  };
  const api = async (path: string, body: Record<string, unknown>) => {
    const res = await request(`${url}/test${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...creds, ...body }),
    });
    return (await res.body.json()) as Record<string, unknown>;
  };
  const until = async <T>(
    probe: () => Promise<T | undefined>,
    timeoutMs: number,
    what: string,
  ): Promise<T> => {
    const end = Date.now() + timeoutMs;
    while (Date.now() < end) {
      const value = await probe();
      if (value !== undefined) return value;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`timed out waiting for ${what}`);
  };

  it('resumes the job in a new process and stores every line once', { timeout: 300_000 }, async () => {
    const first = await start();
    // The transactions call of this job hangs (past the connector's timeout, then its retry succeeds).
    await createFaults({ db: store.db, clock: systemClock, ids: randomIds, timing: defaultTiming }).add({
      bank: 'bt_ro',
      kind: 'slow',
      delayMs: 20_000,
      operation: 'getTransactionList',
      times: 1,
    });
    const created = await api('/ais/consents/create', { ais_method: { provider_id: 'bt_ro' } });
    const consentId = created.consent_id as string;
    const page = await request(created.web_url as string);
    const html = await page.body.text();
    const cookie = String(page.headers['set-cookie'] ?? '').split(';')[0]!;
    const csrf = csrfOf(html);
    const chosen = await request(`${created.web_url as string}/select`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
      body: new URLSearchParams({ csrf, method_id: 'bt_ro_ais_sandbox' }).toString(),
    });
    const sca = /content="0;url=([^"]+)"/.exec(await chosen.body.text())?.[1]?.replaceAll('&amp;', '&');
    const run = await driveSca(sca!, { credentials: seedCredentials.bt_ro, decision: 'approve' });
    await (await request(run.finalUrl!)).body.dump();

    const job = await until(
      async () =>
        store.db
          .selectFrom('ais_jobs')
          .selectAll()
          .where('consent_id', '=', consentId)
          .where('status', '=', 'transactions_fetching')
          .executeTakeFirst(),
      60_000,
      'the job to reach transactions_fetching',
    );
    expect(job.locked_by).toBeTruthy();
    first.kill('SIGKILL');
    await exitOf(first);
    const before = await store.db
      .selectFrom('ais_jobs')
      .selectAll()
      .where('id', '=', job.id)
      .executeTakeFirstOrThrow();
    expect(before.status).toBe('transactions_fetching');

    const second = await start();
    const done = await until(
      async () => {
        const row = await store.db
          .selectFrom('ais_jobs')
          .selectAll()
          .where('id', '=', job.id)
          .executeTakeFirstOrThrow();
        return ['job_completed', 'job_partially_completed', 'job_failed'].includes(row.status)
          ? row
          : undefined;
      },
      150_000,
      'the job to finish after the restart',
    );
    expect(done.status).toBe('job_completed');
    expect(done.attempts).toBe(2);
    expect(done.locked_by).not.toBe(before.locked_by);
    const consent = await api('/ais/consents/get', { consent_id: consentId });
    expect(consent.status).toBe('active');
    const counts = await store.db
      .selectFrom('ais_transactions')
      .select(({ fn }) => [fn.countAll<string>().as('rows'), fn.count<string>('utx_id').distinct().as('utx')])
      .where('consent_id', '=', consentId)
      .executeTakeFirstOrThrow();
    expect(Number(counts.rows)).toBeGreaterThan(100);
    expect(counts.rows).toBe(counts.utx);
    // The job's events: one per status, none twice (the resumed run did not replay the stages before it).
    const events = await store.db
      .selectFrom('webhook_events')
      .select('body')
      .where('object_id', '=', job.id)
      .orderBy('created_at')
      .execute();
    expect(events.map((e) => JSON.parse(e.body).status)).toEqual([
      'job_started',
      'accounts_ready',
      'balances_ready',
      'transactions_fetching',
      'job_completed',
    ]);
    second.kill('SIGTERM');
    expect(await exitOf(second)).toBe(0);
  });
});
