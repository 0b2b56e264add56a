import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConsentStatus, consentEvents, nextConsentStatus } from '../../src/ais/consent-status.js';
import { isFinalJobStatus, type JobStatus } from '../../src/ais/job-status.js';
import { type LinkStatus, linkEvents, transition } from '../../src/pay/link-status.js';
import { driveSca, seedCredentials } from '../../src/sandbox-bank/test-support/sca-driver.js';
import { openStore } from '../../src/store/index.js';
import { repoRoot, runFerry } from '../support/cli-process.js';
import { createEmptyDatabase } from '../support/pg-admin.js';

/**
 * Chaos: load (links and consents created, paid/authorised through the sandbox bank over HTTP, refresh jobs)
 * against `ferry start` on PostgreSQL while the process is SIGKILLed at random moments and restarted.
 * Afterwards every link and consent created with a 2xx exists with a consistent status history, every job is
 * final, and every webhook event reached the receiver at least once. CHAOS_KILLS sets the number of kills.
 */
const KILLS = Number(process.env.CHAOS_KILLS ?? 6);
const SETTLE_MS = 150_000;

const rand = (min: number, max: number) => min + Math.random() * (max - min);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('chaos: SIGKILL under load on PostgreSQL', () => {
  let db: { url: string; drop(): Promise<void> };
  let receiver: Server;
  const received = new Set<string>();
  let receiverUrl = '';
  const env: Record<string, string> = {};
  let ferry: ChildProcess | undefined;
  let base = '';
  let creds: { client_id: string; client_secret: string };

  beforeAll(async () => {
    db = await createEmptyDatabase('ferry_chaos');
    receiver = createServer((req, res) => {
      const id = req.headers['x-webhook-id'];
      req.resume();
      req.on('end', () => {
        if (typeof id === 'string') received.add(id);
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    base = `http://127.0.0.1:${port}`;
    Object.assign(env, {
      DATABASE_URL: db.url,
      FERRY_MASTER_KEY: randomBytes(32).toString('hex'),
      PORT: String(port),
      PUBLIC_URL: base,
      AIS_TEST_REFRESH_COOLDOWN_SECONDS: '0',
      RATE_LIMITS: 'default=0,pay=0,ais=0',
      WEBHOOK_RETRY_SCHEDULE: '1s,2s,3s,5s,5s,5s,5s,5s',
      WEBHOOK_TEST_RETRY_SCHEDULE: '1s,2s,3s,5s,5s,5s,5s,5s',
      LOG_LEVEL: 'error',
    });
    const created = await runFerry(
      ['clients', 'create', '--name', 'Chaos shop', '--webhook-url', receiverUrl, '--json'],
      env,
    );
    expect(created.code, created.stderr).toBe(0);
    const c = JSON.parse(created.stdout) as { client_id: string; client_secret: string };
    creds = { client_id: c.client_id, client_secret: c.client_secret };
  }, 120_000);

  afterAll(async () => {
    ferry?.kill('SIGKILL');
    receiver?.close();
    await db?.drop();
  });

  async function start(): Promise<void> {
    ferry = spawn(process.execPath, [`${repoRoot}bin/ferry.js`, 'start'], {
      cwd: repoRoot,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const deadline = Date.now() + 90_000;
    while (Date.now() < deadline) {
      const ok = await fetch(`${base}/ready`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) return;
      await sleep(100);
    }
    throw new Error('ferry did not become ready');
  }

  async function kill(): Promise<void> {
    const child = ferry;
    if (!child) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  }

  const api = async (path: string, body: Record<string, unknown>) => {
    const res = await fetch(`${base}/test${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...creds, ...body }),
      signal: AbortSignal.timeout(20_000),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it(
    `keeps every object and event through ${KILLS} kills`,
    async () => {
      await start();
      const links = new Set<string>();
      const consents = new Set<string>();
      const jobs = new Map<string, string>();
      let requests = 0;
      let failures = 0;
      let stopLoad = false;

      const attempt = async (fn: () => Promise<void>) => {
        requests += 1;
        try {
          await fn();
        } catch {
          failures += 1; // the process was killed mid-request: nothing to record
          await sleep(200);
        }
      };

      const payer = async () => {
        while (!stopLoad) {
          await attempt(async () => {
            const amount = `${Math.floor(rand(1, 500))}.${String(Math.floor(rand(0, 99))).padStart(2, '0')}`;
            const res = await api('/links/create', {
              single_transfer: {
                amount,
                currency: 'RON',
                creditor_name: 'Chaos SRL',
                creditor_iban: 'RO10RZBR0000069999999970',
              },
              payment_method: { provider_id: 'bt_ro' },
              options: { type: 'redirect_sca' },
            });
            if (res.status !== 200) return;
            links.add(res.body.link_id as string);
            const run = await driveSca(res.body.web_url as string, {
              credentials: seedCredentials.bt_ro,
              decision: Math.random() < 0.85 ? 'approve' : 'deny',
            });
            if (run.finalUrl)
              await fetch(run.finalUrl, { signal: AbortSignal.timeout(20_000) }).then((r) => r.text());
          });
        }
      };

      const reader = async () => {
        while (!stopLoad) {
          await attempt(async () => {
            const res = await api('/ais/consents/create', {
              ais_method: { provider_id: 'bt_ro' },
              consent: { scope: ['accounts', 'balances'] },
              options: { type: 'redirect_sca' },
            });
            if (res.status !== 200) return;
            const consentId = res.body.consent_id as string;
            consents.add(consentId);
            const run = await driveSca(res.body.web_url as string, {
              credentials: seedCredentials.bt_ro,
              decision: 'approve',
            });
            if (run.finalUrl)
              await fetch(run.finalUrl, { signal: AbortSignal.timeout(20_000) }).then((r) => r.text());
            for (let i = 0; i < 20 && !stopLoad; i++) {
              const got = await api('/ais/consents/get', { consent_id: consentId });
              if (got.body.status === 'active') {
                const job = await api('/ais/jobs/create', { consent_id: consentId });
                if (job.status === 200) jobs.set(job.body.job_id as string, consentId);
                return;
              }
              await sleep(300);
            }
          });
        }
      };

      const load = [payer(), payer(), reader()];
      for (let k = 0; k < KILLS; k++) {
        await sleep(rand(1500, 4000));
        await kill();
        await start();
      }
      stopLoad = true;
      await Promise.all(load);

      // Settle: the last process finishes jobs, polls payments to final states and delivers every event.
      const store = await openStore({ databaseUrl: db.url });
      try {
        const clientRow = await store.db
          .selectFrom('api_clients')
          .select('id')
          .where('client_id', '=', creds.client_id)
          .executeTakeFirstOrThrow();
        const deadline = Date.now() + SETTLE_MS;
        let missing: string[] = [];
        let openJobs: string[] = [];
        while (Date.now() < deadline) {
          const events = await store.db
            .selectFrom('webhook_events')
            .select('id')
            .where('client_id', '=', clientRow.id)
            .execute();
          missing = events.map((e) => e.id).filter((id) => !received.has(id));
          openJobs = [];
          for (const [jobId, consentId] of jobs) {
            const res = await api('/ais/jobs/get', { job_id: jobId, consent_id: consentId });
            if (!isFinalJobStatus(res.body.status as JobStatus)) openJobs.push(jobId);
          }
          if (missing.length === 0 && openJobs.length === 0) break;
          await sleep(1000);
        }

        // Every link created with a 2xx exists, with a history the state machine allows.
        for (const linkId of links) {
          const res = await api('/links/get', { link_id: linkId });
          expect(res.status, `link ${linkId}`).toBe(200);
          const history = (res.body.status_history as { status: LinkStatus; at: string }[]).map((h) => h);
          expect(history[0]?.status).toBe('created');
          for (let i = 1; i < history.length; i++) {
            const [a, b] = [history[i - 1]!, history[i]!];
            expect(Date.parse(b.at)).toBeGreaterThanOrEqual(Date.parse(a.at));
            const allowed = linkEvents.some((e) => {
              const t = transition(a.status, e);
              return t.ok && t.to === b.status && t.changed;
            });
            expect(allowed, `link ${linkId}: ${a.status} → ${b.status}`).toBe(true);
          }
          expect(history.at(-1)?.status).toBe(res.body.status);
        }

        // Every consent exists; its status events form a path of the consent state machine.
        for (const consentId of consents) {
          const res = await api('/ais/consents/get', { consent_id: consentId });
          expect(res.status, `consent ${consentId}`).toBe(200);
          const events = await store.db
            .selectFrom('webhook_events')
            .select(['body', 'created_at'])
            .where('object_id', '=', consentId)
            .where('type', '=', 'consent_status_update')
            .orderBy('created_at')
            .orderBy('id')
            .execute();
          const path = [
            'created',
            ...events.map((e) => (JSON.parse(e.body) as { status: ConsentStatus }).status),
          ] as ConsentStatus[];
          for (let i = 1; i < path.length; i++) {
            const ok = consentEvents.some((e) => nextConsentStatus(path[i - 1]!, e) === path[i]);
            expect(ok, `consent ${consentId}: ${path[i - 1]} → ${path[i]}`).toBe(true);
          }
          expect(path.at(-1)).toBe(res.body.status);
        }

        expect(openJobs, 'jobs still running').toEqual([]);
        expect(missing, 'events never delivered').toEqual([]);
        console.log(
          `chaos: ${KILLS} kills, ${requests} load operations (${failures} cut by kills), ${links.size} links, ` +
            `${consents.size} consents, ${jobs.size} jobs, ${received.size} distinct events delivered, 0 lost`,
        );
        expect(links.size).toBeGreaterThan(0);
        expect(consents.size).toBeGreaterThan(0);
      } finally {
        await store.close();
      }
    },
    30 * 60_000,
  );
});
