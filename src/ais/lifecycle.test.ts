import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csrfOf } from '../../test/support/csrf.js';
import { type AisTestApp, createAisTestApp, eventsOf } from './test-support/ais-test-app.js';

let t: AisTestApp;
beforeAll(async () => {
  t = await createAisTestApp();
});
afterAll(async () => {
  await t?.close();
});

const statusOf = async (consentId: string) =>
  (await t.call('/test/ais/consents/get', { consent_id: consentId })).body.status;
const jobsOf = (consentId: string) =>
  t.store.db
    .selectFrom('ais_jobs')
    .selectAll()
    .where('consent_id', '=', consentId)
    .orderBy('created_at')
    .execute();

describe('link expiry', () => {
  it('the sweep expires a link that passed expires_at before authorisation, and deletes the bank consent', async () => {
    const { consentId, webId } = await t.createConsent({ options: { expires_in: 600 } });
    const page = await t.page(`/consent/${webId}`);
    const csrf = csrfOf(page.body);
    await t.page(`/consent/${webId}/select`, {
      method: 'POST',
      form: { csrf, method_id: 'bt_ro_ais_sandbox' },
    });
    const bankId = t.bank.lastConsentId();
    t.clock.advance(599_000);
    expect(await t.services.ais.background.sweepExpiredLinks()).toBe(0);
    t.clock.advance(2_000);
    expect(await t.services.ais.background.sweepExpiredLinks()).toBeGreaterThanOrEqual(1);
    const events = await eventsOf(t, consentId);
    expect(events.at(-1)).toMatchObject({ status: 'expired' });
    expect(t.bank.consents.get(bankId)!.status).toBe('terminatedByTpp');
    const after = await t.page(`/consent/${webId}`);
    expect(after.body).toContain('Link expirat');
    // The bank's late redirect does not bring it back.
    t.bank.setConsentStatus(bankId, 'valid');
    await t.page(`/consent/${webId}/callback`);
    expect(await statusOf(consentId)).toBe('expired');
  });

  it('reads see the expiry even before the sweep runs', async () => {
    const { consentId } = await t.createConsent({ options: { expires_in: 60 } });
    t.clock.advance(60_001);
    expect(await statusOf(consentId)).toBe('expired');
  });

  it('an authorised consent does not expire with its link', async () => {
    const consentId = await t.activeConsent({ options: { expires_in: 60 } });
    t.clock.advance(3_600_000);
    await t.services.ais.background.sweepExpiredLinks();
    expect(await statusOf(consentId)).toBe('active');
  });
});

describe('validity end', () => {
  it('revokes at authorized_until and deletes the bank consent', async () => {
    const consentId = await t.activeConsent({ consent: { consent_validity_days: 2 } });
    const bankId = t.bank.lastConsentId();
    t.clock.advance(2 * 86_400_000 - 10_000);
    expect(await t.services.ais.background.sweepValidityEnded()).toBe(0);
    expect(await statusOf(consentId)).toBe('active');
    t.clock.advance(20_000);
    expect(await t.services.ais.background.sweepValidityEnded()).toBe(1);
    const got = await t.call('/test/ais/consents/get', { consent_id: consentId });
    expect(got.body.status).toBe('revoked');
    expect(got.body.status_reason).toContain('validity');
    expect(t.bank.consents.get(bankId)!.status).toBe('terminatedByTpp');
    expect((await eventsOf(t, consentId)).at(-1)).toMatchObject({
      type: 'consent_status_update',
      status: 'revoked',
    });
    const data = await t.call('/test/ais/accounts/list', { consent_id: consentId });
    expect(data.body.code).toBe('consent_not_active');
  });
});

describe('the bank ends or blocks the consent', () => {
  it('revocation by the PSU at the bank: the next job finds it and revokes the consent', async () => {
    const consentId = await t.activeConsent();
    t.bank.setConsentStatus(t.bank.lastConsentId(), 'revokedByPsu');
    t.clock.advance(61_000);
    const job = await t.call('/test/ais/jobs/create', { consent_id: consentId });
    await t.drain();
    expect(await statusOf(consentId)).toBe('revoked');
    const row = (await jobsOf(consentId)).find((j) => j.id === job.body.job_id)!;
    expect(row.status).toBe('job_failed');
    expect(row.error).toContain('revokedByPsu');
  });

  it('revocation at the bank is also found by the periodic check', async () => {
    const consentId = await t.activeConsent();
    t.bank.setConsentStatus(t.bank.lastConsentId(), 'revokedByPsu');
    // Just authorised: the bank said valid a moment ago, so the check waits for its interval.
    await t.services.ais.background.checkActiveConsents();
    expect(await statusOf(consentId)).toBe('active');
    t.clock.advance(7 * 3_600_000);
    // Ten consents per pass, least recently checked first: pass until this one's turn came.
    for (let i = 0; i < 20 && (await statusOf(consentId)) === 'active'; i++) {
      await t.services.ais.background.checkActiveConsents();
    }
    expect(await statusOf(consentId)).toBe('revoked');
  });

  it('suspension: the bank blocks access (SERVICE_BLOCKED) → suspended', async () => {
    const consentId = await t.activeConsent();
    t.bank.blocked = true;
    try {
      t.clock.advance(61_000);
      const job = await t.call('/test/ais/jobs/create', { consent_id: consentId });
      await t.drain();
      const got = await t.call('/test/ais/consents/get', { consent_id: consentId });
      expect(got.body.status).toBe('suspended');
      expect((await eventsOf(t, consentId)).at(-1)).toMatchObject({ status: 'suspended' });
      const row = (await jobsOf(consentId)).find((j) => j.id === job.body.job_id)!;
      expect(row.status).toBe('job_failed');
      expect((await t.call('/test/ais/consents/revoke', { consent_id: consentId })).body.code).toBe(
        'consent_not_active',
      );
      expect((await t.call('/test/ais/transactions/list', { consent_id: consentId })).body.code).toBe(
        'consent_not_active',
      );
    } finally {
      t.bank.blocked = false;
    }
  });
});

describe('authorisation failures', () => {
  it('the bank rejects the consent → failed', async () => {
    const { consentId, webId } = await t.createConsent();
    const page = await t.page(`/consent/${webId}`);
    const csrf = csrfOf(page.body);
    await t.page(`/consent/${webId}/select`, {
      method: 'POST',
      form: { csrf, method_id: 'bt_ro_ais_sandbox' },
    });
    t.bank.setConsentStatus(t.bank.lastConsentId(), 'rejected');
    await t.page(`/consent/${webId}/callback`);
    expect(await statusOf(consentId)).toBe('failed');
  });

  it('the nok redirect while the bank still waits → failed (the user cancelled)', async () => {
    const { consentId, webId } = await t.createConsent();
    const page = await t.page(`/consent/${webId}`);
    const csrf = csrfOf(page.body);
    await t.page(`/consent/${webId}/select`, {
      method: 'POST',
      form: { csrf, method_id: 'bt_ro_ais_sandbox' },
    });
    await t.page(`/consent/${webId}/callback?result=nok`);
    const got = await t.call('/test/ais/consents/get', { consent_id: consentId });
    expect(got.body.status).toBe('failed');
    expect(got.body.status_reason).toContain('cancelled');
  });

  it('a plain return while the bank still waits changes nothing', async () => {
    const { consentId, webId } = await t.createConsent();
    const page = await t.page(`/consent/${webId}`);
    const csrf = csrfOf(page.body);
    await t.page(`/consent/${webId}/select`, {
      method: 'POST',
      form: { csrf, method_id: 'bt_ro_ais_sandbox' },
    });
    await t.page(`/consent/${webId}/callback`);
    expect(await statusOf(consentId)).toBe('awaiting_authz');
  });

  it('a first job that stores nothing is retried; after the last try the consent fails', async () => {
    const { consentId, webId } = await t.createConsent();
    // What the connector returns after its own retries: one failed call per job, three jobs.
    t.bank.fail('listAccounts', { kind: 'unavailable', httpStatus: 503 }, 3);
    await t.authorize(webId);
    await t.drain();
    expect(await statusOf(consentId)).toBe('authorized');
    let jobs = await jobsOf(consentId);
    expect(jobs.map((j) => j.status)).toEqual(['job_failed']);
    expect(jobs[0]!.error).toContain('HTTP 503');
    t.clock.advance(61_000);
    await t.drain();
    jobs = await jobsOf(consentId);
    expect(jobs.map((j) => j.status)).toEqual(['job_failed', 'job_failed']);
    t.clock.advance(61_000);
    await t.drain();
    const got = await t.call('/test/ais/consents/get', { consent_id: consentId });
    expect(got.body.status).toBe('failed');
    expect(got.body.status_reason).toContain('3 tries');
    expect((await jobsOf(consentId)).length).toBe(3);
  });
});

describe('bank errors inside a job', () => {
  it('the job does not retry what the connector returns (the connector retried already): one call per phase', async () => {
    const consentId = await t.activeConsent();
    t.bank.fail('listAccounts', { kind: 'unavailable', httpStatus: 503 }, 1);
    t.clock.advance(61_000);
    const from = t.bank.calls.length;
    const job = await t.call('/test/ais/jobs/create', { consent_id: consentId });
    await t.drain();
    const got = await t.call('/test/ais/jobs/get', { consent_id: consentId, job_id: job.body.job_id });
    expect(got.body.status).toBe('job_failed');
    expect(t.bank.calls.slice(from).map((c) => c.op)).toEqual(['listAccounts']);
    expect(await statusOf(consentId)).toBe('active');
  });

  it('what cannot be fetched makes the job partially completed, with the reason', async () => {
    const consentId = await t.activeConsent();
    t.bank.fail('listTransactions', { kind: 'unavailable', httpStatus: 500, message: 'bank down' }, 1);
    t.clock.advance(61_000);
    const job = await t.call('/test/ais/jobs/create', { consent_id: consentId });
    await t.drain();
    const got = await t.call('/test/ais/jobs/get', { consent_id: consentId, job_id: job.body.job_id });
    expect(got.body.status).toBe('job_partially_completed');
    const results = got.body.results as { errors: { stage: string; code: string; message: string }[] };
    expect(results.errors).toHaveLength(1);
    expect(results.errors[0]).toMatchObject({ stage: 'transactions', code: 'unavailable' });
    expect(results.errors[0]!.message).toContain('HTTP 500');
    expect(got.body.error).toContain('bank down');
  });

  it('a long Retry-After is not waited for inside the job', async () => {
    const consentId = await t.activeConsent();
    t.bank.fail('listAccounts', { kind: 'rate_limited', httpStatus: 429, retryAfterSeconds: 3600 }, 1);
    t.clock.advance(61_000);
    const job = await t.call('/test/ais/jobs/create', { consent_id: consentId });
    await t.drain();
    const got = await t.call('/test/ais/jobs/get', { consent_id: consentId, job_id: job.body.job_id });
    expect(got.body.status).toBe('job_failed');
    expect(await statusOf(consentId)).toBe('active');
  });

  it('a failure on a later page keeps what was stored, and the next job adds nothing twice', async () => {
    const consentId = await t.activeConsent();
    const count = async () =>
      (
        await t.store.db
          .selectFrom('ais_transactions')
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .where('consent_id', '=', consentId)
          .executeTakeFirstOrThrow()
      ).n;
    const before = await count();
    t.bank.pageSize = 1;
    try {
      t.bank.fail('listTransactions', { kind: 'unavailable', httpStatus: 503 }, 1, 1);
      t.clock.advance(61_000);
      const job = await t.call('/test/ais/jobs/create', { consent_id: consentId });
      await t.drain();
      const got = await t.call('/test/ais/jobs/get', { consent_id: consentId, job_id: job.body.job_id });
      expect(got.body.status).toBe('job_partially_completed');
      t.clock.advance(61_000);
      const next = await t.call('/test/ais/jobs/create', { consent_id: consentId });
      await t.drain();
      const again = await t.call('/test/ais/jobs/get', { consent_id: consentId, job_id: next.body.job_id });
      expect(again.body.status).toBe('job_completed');
    } finally {
      t.bank.pageSize = 50;
    }
    expect(await count()).toBe(before);
  });
});

describe('durable jobs', () => {
  it('a job never runs twice at once and resumes after its process died', async () => {
    const consentId = await t.activeConsent();
    t.clock.advance(61_000);
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    t.bank.gates.getBalances = () => held;
    const job = await t.call('/test/ais/jobs/create', { consent_id: consentId });
    const jobId = job.body.job_id as string;
    // Worker A takes the job and hangs at the balances (a process that is about to die).
    const workerA = t.services.ais.background.runJob(jobId, 'worker-a');
    for (let i = 0; i < 100; i++) {
      const row = await t.store.db
        .selectFrom('ais_jobs')
        .select('status')
        .where('id', '=', jobId)
        .executeTakeFirstOrThrow();
      if (row.status === 'accounts_ready') break;
      await new Promise((r) => setTimeout(r, 20));
    }
    delete t.bank.gates.getBalances;
    // While A's lease lives, nobody else runs the job.
    expect(await t.services.ais.background.runJob(jobId, 'worker-b')).toBe('busy');
    await t.drain();
    let row = await t.store.db
      .selectFrom('ais_jobs')
      .selectAll()
      .where('id', '=', jobId)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('accounts_ready');
    expect(row.locked_by).toBe('worker-a');
    // A's lease lapses (the process is gone): another worker resumes from accounts_ready.
    t.clock.advance(61_000);
    const accountCalls = t.bank.calls.filter((c) => c.op === 'listAccounts').length;
    expect(await t.services.ais.background.runJob(jobId, 'worker-b')).toBe('finished');
    row = await t.store.db
      .selectFrom('ais_jobs')
      .selectAll()
      .where('id', '=', jobId)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('job_completed');
    expect(row.attempts).toBe(2);
    expect(t.bank.calls.filter((c) => c.op === 'listAccounts').length).toBe(accountCalls);
    const snapshot = await t.store.db
      .selectFrom('ais_balances')
      .select('type')
      .where('job_id', '=', jobId)
      .execute();
    expect(snapshot.length).toBe(8);
    // A wakes up late: its stale step changes nothing.
    release();
    await workerA;
    row = await t.store.db
      .selectFrom('ais_jobs')
      .selectAll()
      .where('id', '=', jobId)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('job_completed');
    expect((await eventsOf(t, jobId)).map((e) => e.status)).toEqual([
      'job_started',
      'accounts_ready',
      'balances_ready',
      'transactions_fetching',
      'job_completed',
    ]);
  });

  it('ais.jobs claims as many jobs as the process has room for, and a job ending wakes it for the rest', async () => {
    const consents = [await t.activeConsent(), await t.activeConsent(), await t.activeConsent()];
    t.clock.advance(61_000);
    for (const consentId of consents) await t.call('/test/ais/jobs/create', { consent_id: consentId });
    const task = t.services.worker.tasks.find((k) => k.name === 'ais.jobs')!;
    const tracked: Promise<unknown>[] = [];
    let wakes = 0;
    const ctx = {
      now: () => t.clock.now(),
      signal: new AbortController().signal,
      track: (work: Promise<unknown>) => void tracked.push(work),
      get inFlight() {
        return tracked.length;
      },
      wake() {
        wakes += 1;
      },
    };
    // Room for two (workerConcurrency): a full batch, so the worker would run the task again at once.
    expect(await task.round(ctx)).toBe('more');
    expect(tracked).toHaveLength(2);
    expect(await task.round(ctx)).toBe('idle'); // no room: the third job is not claimed
    await Promise.all(tracked);
    expect(wakes).toBe(2);
    tracked.length = 0;
    expect(await task.round(ctx)).toBe('done');
    await Promise.all(tracked);
    const jobs = await t.store.db
      .selectFrom('ais_jobs')
      .select('status')
      .where('consent_id', 'in', consents)
      .where('kind', '=', 'refresh')
      .execute();
    expect(jobs.map((j) => j.status)).toEqual(['job_completed', 'job_completed', 'job_completed']);
  });

  it('the database allows one unfinished job per consent', async () => {
    const consentId = await t.activeConsent();
    const now = new Date();
    const insert = (id: string) =>
      t.store.db
        .insertInto('ais_jobs')
        .values({
          id,
          consent_id: consentId,
          status: 'job_started',
          kind: 'refresh',
          results: '{}',
          created_at: now,
          updated_at: now,
        })
        .execute();
    await insert('00000000-0000-4000-8000-0000000000a1');
    await expect(insert('00000000-0000-4000-8000-0000000000a2')).rejects.toThrow();
  });
});
