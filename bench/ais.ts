/**
 * FinqLink Data at a million transactions, on PostgreSQL (BENCH_DATABASE_URL), with the sandbox bank in its own
 * process (as a bank would be) reached over HTTP through the NextGenPSD2 connector.
 *
 * 1. Ingest: the first refresh job of the sandbox's benchmark user (bt_ro `benchbt`, 2,750 card receipts a day
 *    for a year: ~1.0M lines) — fetch, normalise, utx_id, upsert — in rows/s. Baseline, same run: a raw
 *    server-side `COPY ais_transactions FROM` of the very rows the job stored, into the same (emptied) table
 *    with the same indexes. Target: job rate >= 0.5 x COPY rate.
 * 2. Listing: POST /test/ais/transactions/list pages of 100 (first, middle, last), p99 through the whole API
 *    (auth, consent check, query, JSON, cursor) in process; baseline: the bare keyset SELECT through `pg`.
 *    Targets: API p99 <= 2 x bare p99; last page p99 <= 1.3 x first page p99.
 * Run: npx tsx bench/ais.ts (BENCH_AIS_DAYS shortens the history for a quick try).
 */
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { request } from 'undici';
import { openBankConsentId } from '../src/ais/index.js';
import { buildApp } from '../src/app.js';
import { parseConfig } from '../src/config/index.js';
import { createNextGenPsd2Connector } from '../src/connectors/index.js';
import { builtinCatalogueFile } from '../src/providers/index.js';
import { driveSca } from '../src/sandbox-bank/test-support/sca-driver.js';
import { createTestPki } from '../src/sandbox-bank/test-support/test-pki.js';
import { ManualClock } from '../src/shared/clock.js';
import { migrate, openStore } from '../src/store/index.js';
import { freePort } from '../test/support/free-port.js';
import { emit, percentile } from './lib/report.js';

const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const DAYS = Number(process.env.BENCH_AIS_DAYS ?? 365);
const LIST_SAMPLES = Number(process.env.BENCH_AIS_LIST_SAMPLES ?? 400);
// The benchmark account opens on 2025-01-01; "today" is the end of the history asked for.
const today = new Date(Date.UTC(2025, 0, 1) + (DAYS - 1) * 86_400_000 + 12 * 3_600_000);
const log = (msg: string) => process.stderr.write(`ais bench: ${msg}\n`);

const withDb = (name: string) => {
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return u.href;
};

async function createDb(name: string): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
}

async function dropDb(name: string): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
}

function startBank(databaseUrl: string) {
  const child = fork(fileURLToPath(new URL('./lib/ais-sandbox-child.ts', import.meta.url)), [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, BENCH_SANDBOX_DATABASE_URL: databaseUrl, BENCH_AIS_TODAY: today.toISOString() },
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  const url = new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /READY (\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`sandbox bank exited (${code})`)));
  });
  return { child, url };
}

const ms = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;
const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

async function main(): Promise<void> {
  const suffix = randomBytes(4).toString('hex');
  const ferryDb = `ferry_bench_ais_${suffix}`;
  const bankDb = `ferry_bench_aisbank_${suffix}`;
  await createDb(ferryDb);
  await createDb(bankDb);
  const work = mkdtempSync(path.join(tmpdir(), 'ferry-ais-bench-'));
  const bank = startBank(withDb(bankDb));
  const pki = createTestPki();
  let cleanup = async () => {};
  try {
    const bankUrl = await bank.url;
    // The catalogue's bt_ro sandbox connector points at the bank process instead of the mounted sandbox.
    const builtin = JSON.parse(readFileSync(builtinCatalogueFile, 'utf8')) as {
      providers: { provider_id: string; connectors: Record<string, Record<string, unknown>> }[];
    };
    const bt = builtin.providers.find((p) => p.provider_id === 'bt_ro')!;
    const providersFile = path.join(work, 'providers.json');
    writeFileSync(
      providersFile,
      JSON.stringify({
        providers: [
          {
            provider_id: 'bt_ro',
            connectors: {
              ...bt.connectors,
              sandbox: {
                ...bt.connectors.sandbox,
                base_url: `${bankUrl}/sandbox-bank/bt_ro`,
                timeout_ms: 120_000,
              },
            },
          },
        ],
      }),
    );
    const store = await openStore({ databaseUrl: withDb(ferryDb), poolMax: 10 });
    await migrate(store);
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const config = parseConfig({
      PUBLIC_URL: url,
      PORT: String(port),
      LOG_LEVEL: 'silent',
      RATE_LIMITS: 'default=0,pay=0,ais=0',
      FERRY_MASTER_KEY: randomBytes(32).toString('hex'),
      FERRY_PROVIDERS_FILE: providersFile,
    });
    const clock = new ManualClock(today);
    const connector = createNextGenPsd2Connector({ qsealc: pki.qsealc, timeoutMs: 120_000, clock });
    const { app, services } = await buildApp(config, {
      store,
      masterKey: Buffer.from(config.masterKey!, 'hex'),
      connector,
      clock,
      logger: false,
    });
    await app.listen({ port, host: '127.0.0.1' });
    cleanup = async () => {
      await app.close();
      await connector.close();
      await store.close();
    };
    const { client, clientSecret } = await services.clients.create({ name: 'Bench', mode: 'test' });
    const creds = { client_id: client.clientId, client_secret: clientSecret };
    const api = async (p: string, body: Record<string, unknown>) => {
      const res = await app.inject({ method: 'POST', url: `/test${p}`, payload: { ...creds, ...body } });
      return { status: res.statusCode, body: res.json() as Record<string, unknown> };
    };

    // A consent for the benchmark user, authorised through the page and the bank's SCA pages.
    const created = await api('/ais/consents/create', { ais_method: { provider_id: 'bt_ro' } });
    const consentId = created.body.consent_id as string;
    const webUrl = created.body.web_url as string;
    const page = await request(webUrl);
    const html = await page.body.text();
    const cookie = String(page.headers['set-cookie'] ?? '').split(';')[0]!;
    const csrf = /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
    const chosen = await request(`${webUrl}/select`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
      body: new URLSearchParams({ csrf, method_id: 'bt_ro_ais_sandbox' }).toString(),
    });
    const sca = /content="0;url=([^"]+)"/.exec(await chosen.body.text())?.[1]?.replaceAll('&amp;', '&');
    if (!sca) throw new Error('no SCA URL on the page');
    const run = await driveSca(sca, {
      credentials: { username: 'benchbt', password: 'benchbt', pin: '1234567' },
      decision: 'approve',
    });
    await (await request(run.finalUrl!)).body.dump();
    const consent = await api('/ais/consents/get', { consent_id: consentId });
    if (consent.body.status !== 'authorized') throw new Error(`consent is ${String(consent.body.status)}`);

    // 1. Ingest: the first job (no worker is started: it runs here, timed).
    log(`running the first job (${DAYS} days of history) ...`);
    const first = await store.db
      .selectFrom('ais_jobs')
      .select('id')
      .where('consent_id', '=', consentId)
      .executeTakeFirstOrThrow();
    const t0 = process.hrtime.bigint();
    await services.ais.background.runJob(first.id);
    const jobMs = ms(t0);
    const job = await store.db
      .selectFrom('ais_jobs')
      .selectAll()
      .where('id', '=', first.id)
      .executeTakeFirstOrThrow();
    const results = job.results as {
      transactions: { inserted: number };
      durations_ms: { accounts: number; balances: number; transactions: number };
    };
    const inserted = results.transactions.inserted;
    if (job.status !== 'job_completed') throw new Error(`job ${job.status}: ${job.error}`);
    // The ingest is the transactions stage: fetch from the bank, normalise, utx_id, store. The stages before it
    // (the account list, and balances the sandbox computes over the whole history) are reported apart.
    const ingestMs = results.durations_ms.transactions;
    const jobRate = inserted / (ingestMs / 1000);
    log(
      `job: ${inserted} rows; transactions stage ${round(ingestMs / 1000)} s = ${Math.round(jobRate)} rows/s; whole job ${round(jobMs / 1000)} s (accounts ${results.durations_ms.accounts} ms, balances ${results.durations_ms.balances} ms)`,
    );

    // Context: how fast the bank alone serves the same history (fetch and parse, nothing stored).
    // Stored sealed (src/ais/bank-consent-id.ts): opened here as the connector's caller does.
    const bankConsentId = openBankConsentId(
      services.secretBox,
      (
        await store.db
          .selectFrom('ais_consents')
          .select('bank_consent_id')
          .where('id', '=', consentId)
          .executeTakeFirstOrThrow()
      ).bank_consent_id!,
    );
    const endpoint = services.catalogue.bankEndpoint('bt_ro', 'sandbox', url);
    const account = await store.db
      .selectFrom('ais_accounts')
      .select('bank_resource_id')
      .where('consent_id', '=', consentId)
      .executeTakeFirstOrThrow();
    const tf = process.hrtime.bigint();
    let fetched = 0;
    for await (const p of connector.listTransactions(
      endpoint,
      bankConsentId,
      account.bank_resource_id,
      { dateFrom: '2024-01-01', bookingStatus: 'both', pageSize: 5000 },
      { psuIpAddress: '192.0.2.1' },
    )) {
      if (!p.ok) throw new Error(p.error.message);
      fetched += p.value.length;
    }
    const fetchMs = ms(tf);
    log(
      `bank alone: ${fetched} lines fetched and parsed in ${round(fetchMs / 1000)} s = ${Math.round(fetched / (fetchMs / 1000))} lines/s`,
    );

    // Baseline: COPY of the same rows into the same table, emptied, same indexes (server-side file).
    // A path on the database server (same machine); the server writes and reads it, not this process.
    const csv = `/tmp/ferry-ais-bench-${suffix}.csv`;
    const raw = new pg.Client({ connectionString: withDb(ferryDb) });
    await raw.connect();
    await raw.query(`COPY ais_transactions TO '${csv}' WITH (FORMAT csv)`);
    await raw.query('TRUNCATE ais_transactions');
    await raw.query('CHECKPOINT');
    const t1 = process.hrtime.bigint();
    await raw.query(`COPY ais_transactions FROM '${csv}' WITH (FORMAT csv)`);
    const copyMs = ms(t1);
    const copyRate = inserted / (copyMs / 1000);
    await raw.query('ANALYZE ais_transactions');
    log(`COPY: ${inserted} rows in ${round(copyMs / 1000)} s = ${Math.round(copyRate)} rows/s`);

    // 2. Listing at 1M rows: cursors for the first, a middle and the last page of 100.
    // Only the rows the cursors point at are read (holding a million keys here would make this process's
    // garbage collector, and so the API timings, pay for the benchmark's own bookkeeping).
    const total = Number(
      (
        await raw.query<{ n: string }>('SELECT count(*) AS n FROM ais_transactions WHERE consent_id = $1', [
          consentId,
        ])
      ).rows[0]!.n,
    );
    const rows: Record<number, { sort_date: string; id: string }> = {};
    for (const at of [Math.floor(total / 2), total - 101]) {
      const r = await raw.query<{ sort_date: string; id: string }>(
        'SELECT sort_date::text, id::text FROM ais_transactions WHERE consent_id = $1 ORDER BY sort_date DESC, id DESC OFFSET $2 LIMIT 1',
        [consentId, at],
      );
      rows[at] = r.rows[0]!;
    }
    const cursorAt = (i: number) =>
      services.ais.transactionsCursor({ sortDate: rows[i]!.sort_date, id: rows[i]!.id });
    const positions = {
      first: undefined,
      middle: Math.floor(total / 2),
      last: total - 101,
    } as const;
    const bare = async (pos: number | undefined) => {
      const start = process.hrtime.bigint();
      if (pos === undefined) {
        await raw.query(
          'SELECT * FROM ais_transactions WHERE consent_id = $1 ORDER BY sort_date DESC, id DESC LIMIT 101',
          [consentId],
        );
      } else {
        await raw.query(
          'SELECT * FROM ais_transactions WHERE consent_id = $1 AND (sort_date, id) < ($2::date, $3::uuid) ORDER BY sort_date DESC, id DESC LIMIT 101',
          [consentId, rows[pos]!.sort_date, rows[pos]!.id],
        );
      }
      return ms(start);
    };
    const viaApi = async (pos: number | undefined) => {
      const start = process.hrtime.bigint();
      const res = await app.inject({
        method: 'POST',
        url: '/test/ais/transactions/list',
        payload: {
          ...creds,
          consent_id: consentId,
          pagination: { limit: 100, ...(pos === undefined ? {} : { after: cursorAt(pos) }) },
        },
      });
      const took = ms(start);
      if (res.statusCode !== 200) throw new Error(res.body);
      return took;
    };
    const sample = async (fn: (pos: number | undefined) => Promise<number>, pos: number | undefined) => {
      for (let i = 0; i < 50; i++) await fn(pos);
      const out: number[] = [];
      for (let i = 0; i < LIST_SAMPLES; i++) out.push(await fn(pos));
      return out.sort((a, b) => a - b);
    };
    const p99 = {} as Record<keyof typeof positions, { api: number; bare: number }>;
    const p50 = {} as Record<keyof typeof positions, { api: number; bare: number }>;
    for (const [name, pos] of Object.entries(positions) as [keyof typeof positions, number | undefined][]) {
      // Interleaved so both see the same machine load.
      const apiTimes: number[] = [];
      const bareTimes: number[] = [];
      for (let pass = 0; pass < 4; pass++) {
        apiTimes.push(...(await sample(viaApi, pos)));
        bareTimes.push(...(await sample(bare, pos)));
      }
      apiTimes.sort((a, b) => a - b);
      bareTimes.sort((a, b) => a - b);
      p99[name] = { api: percentile(apiTimes, 99), bare: percentile(bareTimes, 99) };
      p50[name] = { api: percentile(apiTimes, 50), bare: percentile(bareTimes, 50) };
      log(
        `${name} page: API p99 ${round(p99[name].api)} ms (p50 ${round(p50[name].api)}), bare SQL p99 ${round(p99[name].bare)} ms (p50 ${round(p50[name].bare)})`,
      );
    }
    await raw.end();

    const worstRatio = Math.max(...Object.values(p99).map((v) => v.api / v.bare));
    emit({
      name: 'ais',
      metrics: [
        {
          metric: `refresh job ingest (${inserted} lines)`,
          value: Math.round(jobRate),
          unit: 'rows/s',
          baseline: Math.round(copyRate),
          ratio: round(jobRate / copyRate),
          target: '>= 0.5 x COPY',
          pass: jobRate / copyRate >= 0.5,
          note: `transactions stage ${round(ingestMs / 1000)} s (HTTP from a bank process, normalise, utx_id, store); whole job ${round(jobMs / 1000)} s = ${Math.round(inserted / (jobMs / 1000))} rows/s; COPY ${round(copyMs / 1000)} s; the bank alone serves ${Math.round(fetched / (fetchMs / 1000))} lines/s (fetch + parse, nothing stored)`,
        },
        ...(['first', 'middle', 'last'] as const).map((name) => ({
          metric: `transactions/list p99, ${name} page of 100`,
          value: round(p99[name].api),
          unit: 'ms',
          baseline: round(p99[name].bare),
          ratio: round(p99[name].api / p99[name].bare),
          target: '<= 2 x bare keyset SQL',
          pass: p99[name].api <= 2 * p99[name].bare,
          note: `ratio = API / bare (lower is better); API in process via inject, bare via pg; p50 ${round(p50[name].api)} vs ${round(p50[name].bare)} ms`,
        })),
        {
          metric: 'transactions/list p99, last page vs first',
          value: round(p99.last.api),
          unit: 'ms',
          baseline: round(p99.first.api),
          ratio: round(p99.last.api / p99.first.api),
          target: '<= 1.3 x first page',
          pass: p99.last.api <= 1.3 * p99.first.api,
        },
      ],
    });
    log(`worst API/bare ratio ${round(worstRatio)}`);
  } finally {
    await cleanup().catch(() => {});
    bank.child.kill('SIGTERM');
    pki.cleanup();
    rmSync(work, { recursive: true, force: true });
    rmSync(`/tmp/ferry-ais-bench-${suffix}.csv`, { force: true });
    await dropDb(ferryDb).catch(() => {});
    await dropDb(bankDb).catch(() => {});
  }
}

await main();
