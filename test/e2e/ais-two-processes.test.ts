import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, openStore, type Store } from '../../src/store/index.js';
import { exitOf, spawnFerry, waitForOutput } from '../support/cli-process.js';
import { needs } from '../support/needs.js';
import { createEmptyDatabase } from '../support/pg-admin.js';
import { type Stack, startStack } from '../support/stack.js';
import { testMasterKey } from '../support/test-app.js';
import { waitFor } from '../support/webhook-receiver.js';

/**
 * Work made by one process is picked up by a worker of another at once, not at its next poll. Process A (this
 * one) serves the API, the hosted consent page and the sandbox bank and runs no worker; process B is `ferry
 * worker` on the same PostgreSQL database, its `ais.jobs` polling only every 60 s. The first job (created by the
 * authorisation in A) and a refresh job (jobs/create in A) both start in B within moments: A's transaction
 * NOTIFYs `ferry_work`, which B LISTENs on. PostgreSQL only (NOTIFY between processes): the server of
 * TEST_DATABASE_URL, or the local one, as the other process-level tests.
 */
const POLL_MS = 60_000;
const server = await needs('postgres');

describe.skipIf(!server)('a job created in the API process is picked up by a worker process at once', () => {
  let db: { url: string; drop(): Promise<void> };
  let store: Store;
  let s: Stack;
  let worker: ChildProcess | undefined;

  beforeAll(async () => {
    db = await createEmptyDatabase('ferry_ais_wake');
    store = await openStore({ databaseUrl: db.url });
    await migrate(store);
    s = await startStack({ store, worker: false });
    worker = spawnFerry(['worker'], {
      DATABASE_URL: db.url,
      FERRY_MASTER_KEY: testMasterKey.toString('hex'),
      PUBLIC_URL: s.url,
      LOG_LEVEL: 'error',
      AIS_JOB_POLL_MS: String(POLL_MS),
    });
    await waitForOutput(worker, (o) => o.includes('Ferry worker running'), 90_000);
  });

  afterAll(async () => {
    if (worker && worker.exitCode === null) {
      worker.kill('SIGTERM');
      await exitOf(worker);
    }
    await s?.close();
    await db?.drop();
  });

  /** The job once process B has claimed it, and how long after its creation (both clocks are this machine's). */
  const pickedUp = async (jobId: () => Promise<string | undefined>) => {
    const row = await waitFor(async () => {
      const id = await jobId();
      if (!id) return undefined;
      return s.store.db
        .selectFrom('ais_jobs')
        .select(['locked_by', 'created_at', 'started_at'])
        .where('id', '=', id)
        .where('started_at', 'is not', null)
        .executeTakeFirst();
    }, POLL_MS / 4);
    return { ms: row.started_at!.getTime() - row.created_at.getTime(), row };
  };

  it('the first job and a refresh job start in the worker process, well before its 60 s poll', async () => {
    const created = await s.api('/ais/consents/create', {
      ais_method: { provider_id: 'bt_ro' },
      options: { redirect_url: 'https://budget.test/done' },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    const consentId = created.body.consent_id as string;
    const firstJob = async () =>
      (
        await s.store.db
          .selectFrom('ais_jobs')
          .select('id')
          .where('consent_id', '=', consentId)
          .executeTakeFirst()
      )?.id;

    await s.authorizeOverHttp(created.body.web_url as string, 'bt_ro_ais_sandbox', 'bt_ro');
    const first = await pickedUp(firstJob);
    // Not this process: it runs no worker; the lease holder is B (host:pid:token).
    expect(first.row.locked_by).toMatch(new RegExp(`:${worker!.pid}:`));
    await s.waitForConsent(consentId, 'active');

    const job = await s.api('/ais/jobs/create', { consent_id: consentId });
    expect(job.status, JSON.stringify(job.body)).toBe(200);
    const refresh = await pickedUp(async () => job.body.job_id as string);
    expect(refresh.row.locked_by).toMatch(new RegExp(`:${worker!.pid}:`));
    const done = await s.waitForJob(consentId, job.body.job_id as string);
    expect(done.status).toBe('job_completed');
    // Both well inside the poll period: the wake did it (the assertion on time is the waitFor's bound above).
    console.info(
      `claimed in the worker process ${first.ms} ms (first job) and ${refresh.ms} ms (refresh) after creation`,
    );
  });
});
