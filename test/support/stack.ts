import type { FastifyInstance } from 'fastify';
import { request } from 'undici';
import { buildApp } from '../../src/app.js';
import { parseConfig } from '../../src/config/index.js';
import {
  createNextGenPsd2Connector,
  type Exchange,
  type NextGenPsd2Connector,
} from '../../src/connectors/index.js';
import { revokeByPsu } from '../../src/sandbox-bank/accounts.service.js';
import { createFaults, type Faults } from '../../src/sandbox-bank/faults.service.js';
import { type BankId, defaultTiming, registerSandboxBank } from '../../src/sandbox-bank/index.js';
import { driveSca, type ScaRun, seedCredentials } from '../../src/sandbox-bank/test-support/sca-driver.js';
import { createTestPki } from '../../src/sandbox-bank/test-support/test-pki.js';
import type { Services } from '../../src/services.js';
import { type Clock, systemClock } from '../../src/shared/clock.js';
import { randomIds } from '../../src/shared/ids.js';
import type { Store } from '../../src/store/index.js';
import { startWorker } from '../../src/worker/index.js';
import { csrfOf } from './csrf.js';
import { freePort } from './free-port.js';
import { testMasterKey } from './test-app.js';
import { createTestStore } from './test-store.js';
import { waitFor } from './webhook-receiver.js';

/**
 * The one end-to-end stack: Ferry as `ferry start` runs it, on a real port — the API, the hosted pages, the
 * sandbox bank mounted at ${PUBLIC_URL}/sandbox-bank/<id> and reached over HTTP through the NextGenPSD2
 * connector, and the real worker (status polling, refresh jobs, sweeps, webhook delivery, the sandbox's
 * notifications). The clock is real unless a test passes one. The sandbox bank reports an approved payment ACSP
 * 0.8 s after approval (links complete fast) and ACSC with its funds notification 30 s after (so `completed`
 * stays observable); `timing` sets both.
 */
export interface Stack {
  url: string;
  app: FastifyInstance;
  services: Services;
  store: Store;
  connector: NextGenPsd2Connector;
  /** Every HTTP exchange the connector made with a bank (each try of a retried call is one). */
  exchanges: Exchange[];
  creds: { client_id: string; client_secret: string };
  /** The sandbox bank's test controls (they act on its tables, whichever process mounted it). */
  sandbox: { faults: Faults; revokeConsentsOf(bank: BankId, psuId: string): Promise<number> };
  /** POST /test<path> over HTTP with this stack's client. */
  api(
    path: string,
    body: Record<string, unknown>,
  ): Promise<{ status: number; body: Record<string, unknown> }>;
  /** Polls links/get until the link reaches `status` (or fails the wait). */
  waitForLink(linkId: string, status: string, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** Polls consents/get until `status` (or fails the wait). */
  waitForConsent(consentId: string, status: string, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** Polls jobs/get until the job has ended. */
  waitForJob(consentId: string, jobId: string, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** Page → bank choice → sandbox SCA (plain HTTP forms) → back to Ferry. Returns the SCA run. */
  authorizeOverHttp(webUrl: string, methodId: string, bank: BankId, accounts?: string[]): Promise<ScaRun>;
  /** Pay page → method (and its inputs) → sandbox SCA approved → back to Ferry. Returns the SCA run. */
  payOverHttp(webUrl: string, methodId: string, bank: BankId, form?: Record<string, string>): Promise<ScaRun>;
  close(): Promise<void>;
}

export interface StackOptions {
  clock?: Clock;
  clientName?: string;
  hostname?: string;
  /** A migrated database of the test's own (e.g. one other processes share); a fresh test store otherwise. */
  store?: Store;
  /** false: the API alone, no worker in this process (another process runs the background work). */
  worker?: boolean;
  timing?: { acspAfterMs: number; acscAfterMs: number };
}

const endedJob = ['job_completed', 'job_partially_completed', 'job_failed'];

/** Opens a hosted page, posts its form to `action` with the page's CSRF token, and returns the bank hand-off URL. */
async function handOff(action: string, pageUrl: string, form: Record<string, string>): Promise<string> {
  const page = await request(pageUrl);
  const body = await page.body.text();
  const cookie = String(page.headers['set-cookie'] ?? '').split(';')[0]!;
  const chosen = await request(action, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
    body: new URLSearchParams({ csrf: csrfOf(body), ...form }).toString(),
  });
  const html = await chosen.body.text();
  const sca = /<meta http-equiv="refresh" content="0;url=([^"]+)">/.exec(html)?.[1]?.replaceAll('&amp;', '&');
  if (!sca) throw new Error(`no SCA hand-off on the page: ${html.slice(0, 1500)}`);
  return sca;
}

/** Approves at the sandbox bank with its seeded credentials and follows the return to Ferry. */
async function completeSca(sca: string, bank: BankId, accounts?: string[]): Promise<ScaRun> {
  const run = await driveSca(sca, {
    credentials: seedCredentials[bank],
    decision: 'approve',
    ...(accounts ? { accounts } : {}),
  });
  if (!run.finalUrl) throw new Error(`the SCA did not finish: ${run.pages.at(-1)?.slice(0, 1500)}`);
  const back = await request(run.finalUrl);
  await back.body.dump();
  return run;
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const store = options.store ?? (await createTestStore());
  const port = await freePort();
  const url = `http://${options.hostname ?? '127.0.0.1'}:${port}`;
  const clock = options.clock ?? systemClock;
  const config = parseConfig({
    PUBLIC_URL: url,
    PORT: String(port),
    LOG_LEVEL: 'silent',
    RATE_LIMITS: 'default=0,pay=0,ais=0',
    FERRY_MASTER_KEY: testMasterKey.toString('hex'),
    AIS_TEST_REFRESH_COOLDOWN_SECONDS: '0',
    SANDBOX_BANK_ACSP_AFTER_MS: String(options.timing?.acspAfterMs ?? 800),
    SANDBOX_BANK_ACSC_AFTER_MS: String(options.timing?.acscAfterMs ?? 30_000),
  });
  const pki = createTestPki();
  const exchanges: Exchange[] = [];
  const connector = createNextGenPsd2Connector({
    qsealc: pki.qsealc,
    timeoutMs: 30_000,
    clock,
    fallbackPsuIpAddress: '127.0.0.1',
    onExchange: (e) => exchanges.push(e),
  });
  const { app, services } = await buildApp(config, {
    store,
    masterKey: testMasterKey,
    connector,
    clock,
    logger: false,
    checkResponses: true,
  });
  if (!app.hasRoute({ method: 'GET', url: '/sandbox-bank/:bank/v1/accounts' })) {
    await registerSandboxBank(app, { store, publicUrl: url, clock });
  }
  await app.listen({ port, host: '127.0.0.1' });
  const worker = options.worker === false ? undefined : await startWorker(services);
  const { client, clientSecret } = await services.clients.create({
    name: options.clientName ?? 'E2E Client',
    mode: 'test',
  });
  const creds = { client_id: client.clientId, client_secret: clientSecret };
  const ctx = { db: store.db, clock, ids: randomIds, timing: defaultTiming };

  const api: Stack['api'] = async (path, body) => {
    const res = await request(`${url}/test${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...creds, ...body }),
    });
    return { status: res.statusCode, body: (await res.body.json()) as Record<string, unknown> };
  };
  /** Reads `path` every 200 ms until `done`; the error names the last answer. */
  const pollUntil = async (
    path: string,
    body: Record<string, unknown>,
    done: (b: Record<string, unknown>) => boolean,
    timeoutMs: number,
    describe: (last: Record<string, unknown>) => string,
  ) => {
    let last: Record<string, unknown> = {};
    try {
      return await waitFor(
        async () => {
          last = (await api(path, body)).body;
          return done(last) && last;
        },
        timeoutMs,
        200,
      );
    } catch {
      throw new Error(describe(last));
    }
  };

  return {
    url,
    app,
    services,
    store,
    connector,
    exchanges,
    creds,
    sandbox: { faults: createFaults(ctx), revokeConsentsOf: (bank, psuId) => revokeByPsu(ctx, bank, psuId) },
    api,
    waitForLink: (linkId, status, timeoutMs = 30_000) =>
      pollUntil(
        '/links/get',
        { link_id: linkId },
        (b) => b.status === status,
        timeoutMs,
        (last) => `link ${linkId} stayed ${String(last.status)} (waited for ${status})`,
      ),
    waitForConsent: (consentId, status, timeoutMs = 60_000) =>
      pollUntil(
        '/ais/consents/get',
        { consent_id: consentId },
        (b) => b.status === status,
        timeoutMs,
        (last) =>
          `consent ${consentId} stayed ${String(last.status)} (${String(last.status_reason)}); waited for ${status}`,
      ),
    waitForJob: (consentId, jobId, timeoutMs = 120_000) =>
      pollUntil(
        '/ais/jobs/get',
        { consent_id: consentId, job_id: jobId },
        (b) => endedJob.includes(String(b.status)),
        timeoutMs,
        (last) => `job ${jobId} stayed ${String(last.status)}`,
      ),
    async authorizeOverHttp(webUrl, methodId, bank, accounts) {
      const sca = await handOff(`${webUrl}/select`, webUrl, { method_id: methodId });
      return completeSca(sca, bank, accounts);
    },
    async payOverHttp(webUrl, methodId, bank, form = {}) {
      const sca = await handOff(`${webUrl}/pay`, webUrl, { method_id: methodId, ...form });
      return completeSca(sca, bank);
    },
    async close() {
      await worker?.stop();
      await app.close();
      await connector.close();
      await store.close();
      pki.cleanup();
    },
  };
}
