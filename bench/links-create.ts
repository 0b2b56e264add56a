/**
 * Pay benchmarks, on the local PostgreSQL server (BENCH_DATABASE_URL; a fresh database per run, dropped after):
 *  1. POST /test/links/create req/s against a baseline measured in the same run: a bare Fastify route doing one
 *     INSERT through `pg` (same pool size, same database server, same load generator). Target: >= 0.6 x, as the
 *     median ratio of 5 paired runs (bare then Ferry, back to back; BENCH_LINKS_SECONDS in all, default 15).
 *  2. The hosted page GET /pay/{web_id}: p95 of the server time (Fastify's elapsed time, first opening of a link
 *     and a reopening). Target < 20 ms.
 *  3. Page weight (HTML + CSS + JS + images) and JS per template. Targets < 60 KB and < 10 KB.
 * The load generator (autocannon) runs in a child process so it does not share the servers' event loop.
 * Run: npx tsx bench/links-create.ts
 */
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import Fastify, { type FastifyInstance } from 'fastify';
import pg from 'pg';
import { request } from 'undici';
import { buildApp } from '../src/app.js';
import { parseConfig } from '../src/config/index.js';
import { migrate, openStore } from '../src/store/index.js';
import { templates } from '../src/webui/index.js';
import { createEmptyDatabase } from '../test/support/pg-admin.js';
import { mean, runPaired } from './lib/paired.js';
import { type BenchMetric, emit, percentile } from './lib/report.js';

const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const DURATION = Number(process.env.BENCH_LINKS_SECONDS ?? 15);
const ROUNDS = 5;
const CONNECTIONS = Number(process.env.BENCH_LINKS_CONNECTIONS ?? 32);
const POOL = 10;
const autocannonBin = fileURLToPath(new URL('../node_modules/autocannon/autocannon.js', import.meta.url));

interface Load {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
}

/** autocannon in a child process; returns requests/s and latency. */
function load(url: string, body: string, seconds: number): Promise<Load> {
  return new Promise((resolve, reject) => {
    const args = [autocannonBin, '-c', String(CONNECTIONS), '-d', String(seconds), '-m', 'POST'];
    args.push('-H', 'content-type=application/json', '-b', body, '-j', url);
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c) => {
      out += c;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`autocannon exited ${code}`));
      const r = JSON.parse(out);
      resolve({
        rps: r.requests.average,
        p50: r.latency.p50,
        p99: r.latency.p99,
        non2xx: r.non2xx,
        errors: r.errors,
      });
    });
  });
}

/** The baseline: a bare Fastify route, one INSERT of the same fields through a `pg` pool. */
async function bareInsertServer(
  databaseUrl: string,
): Promise<{ app: FastifyInstance; url: string; pool: pg.Pool }> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: POOL });
  // Dropping the database at the end ends its connections; an idle one must not crash the bench.
  pool.on('error', () => {});
  await pool.query(`CREATE TABLE IF NOT EXISTS bench_links (
    id uuid PRIMARY KEY, web_id text NOT NULL UNIQUE, amount numeric NOT NULL, currency text NOT NULL,
    creditor_name text NOT NULL, creditor_iban text NOT NULL, remittance_info text, created_at timestamptz NOT NULL)`);
  const app = Fastify({ logger: false });
  app.post('/insert', async (req) => {
    const b = (req.body as { single_transfer: Record<string, string> }).single_transfer;
    const id = randomUUID();
    const webId = randomBytes(16).toString('base64url');
    await pool.query(
      'INSERT INTO bench_links (id, web_id, amount, currency, creditor_name, creditor_iban, remittance_info, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,now())',
      [id, webId, b.amount, b.currency, b.creditor_name, b.creditor_iban, b.remittance_info],
    );
    return { link_id: id, web_id: webId };
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/insert`, pool };
}

const transfer = {
  amount: '149.90',
  currency: 'RON',
  creditor_name: 'Librăria Ferry',
  creditor_iban: 'RO10RZBR0000069999999970',
  remittance_info: 'Comanda 1234',
};

async function main() {
  const db = await createEmptyDatabase('ferry_bench_pay', adminUrl);
  const metrics: BenchMetric[] = [];
  try {
    const store = await openStore({ databaseUrl: db.url, poolMax: POOL });
    await migrate(store);
    const masterKey = randomBytes(32);
    const config = parseConfig({
      DATABASE_URL: db.url,
      FERRY_MASTER_KEY: masterKey.toString('hex'),
      PUBLIC_URL: 'http://127.0.0.1:1',
      LOG_LEVEL: 'silent',
      // Rate limits are measured elsewhere; here they would only add their own counter write.
      RATE_LIMITS: 'default=0,pay=0,ais=0',
    });
    const { app, services } = await buildApp(config, { store, masterKey, logger: false });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    const { client, clientSecret } = await services.clients.create({ name: 'Bench', mode: 'test' });
    const ferryBody = JSON.stringify({
      client_id: client.clientId,
      client_secret: clientSecret,
      single_transfer: transfer,
    });
    const bare = await bareInsertServer(db.url);
    const bareBody = JSON.stringify({ single_transfer: transfer });

    // Warm both (JIT, pools, the client-secret cache), then measure in pairs: a bare run and a Ferry run back to
    // back, ROUNDS times. Each pair gives one ratio; the median of those is the figure, so that a burst of other
    // load during one run moves one pair rather than the result. The spread is printed with it.
    await load(`${base}/test/links/create`, ferryBody, 3);
    await load(bare.url, bareBody, 3);
    const { pairs, ratio } = await runPaired({
      pairs: ROUNDS,
      baseline: () => load(bare.url, bareBody, DURATION / ROUNDS),
      run: () => load(`${base}/test/links/create`, ferryBody, DURATION / ROUNDS),
      ratio: (ferry, bareRun) => ferry.rps / bareRun.rps,
    });
    const ferryRuns = pairs.map((p) => p.run);
    const bareRuns = pairs.map((p) => p.baseline);
    const ratios = pairs.map((p) => p.ratio).sort((a, b) => a - b);
    const avg = (rs: Load[], k: keyof Load) => mean(rs.map((r) => r[k]));
    const failures = ferryRuns.reduce((s, r) => s + r.non2xx + r.errors, 0);
    metrics.push({
      metric: 'links/create req/s',
      value: Math.round(avg(ferryRuns, 'rps')),
      unit: 'req/s',
      baseline: Math.round(avg(bareRuns, 'rps')),
      ratio: Math.round(ratio * 100) / 100,
      target: '>= 0.6 x bare Fastify + one pg INSERT (median of paired runs)',
      pass: ratio >= 0.6 && failures === 0,
      note: `median of ${ROUNDS} paired ${DURATION / ROUNDS} s runs, ratios ${ratios.map((r) => r.toFixed(2)).join(' ')}; ${CONNECTIONS} connections, pool ${POOL}; Ferry p50 ${avg(ferryRuns, 'p50')} ms p99 ${avg(ferryRuns, 'p99')} ms; bare p50 ${avg(bareRuns, 'p50')} ms p99 ${avg(bareRuns, 'p99')} ms; non-2xx/errors ${failures}`,
    });

    // Hosted page: first opening (writes created -> started) and a reopening (read only), one at a time.
    const made: string[] = [];
    for (let i = 0; i < 300; i++) {
      const res = await request(`${base}/test/links/create`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          client_id: client.clientId,
          client_secret: clientSecret,
          single_transfer: transfer,
          options: { ux_template: templates[i % templates.length] },
        }),
      });
      made.push(((await res.body.json()) as { web_id: string }).web_id);
    }
    // The pages are timed on a second Ferry instance over the same database, so that the timing hook never runs
    // on the links/create path measured above.
    const pageApp = (await buildApp(config, { store, masterKey, logger: false })).app;
    const pageTimes: number[] = [];
    pageApp.addHook('onResponse', async (req, reply) => {
      if (req.method === 'GET' && /^\/pay\/[A-Za-z0-9_-]+(\?|$)/.test(req.url))
        pageTimes.push(reply.elapsedTime);
    });
    await pageApp.listen({ port: 0, host: '127.0.0.1' });
    const pageBase = `http://127.0.0.1:${(pageApp.server.address() as AddressInfo).port}`;
    const timed = async () => {
      pageTimes.length = 0;
      for (const webId of made) {
        const res = await request(`${pageBase}/pay/${webId}`);
        await res.body.text();
      }
      return [...pageTimes].sort((a, b) => a - b);
    };
    const first = await timed();
    const again = await timed();
    const pageMetric = (label: string, times: number[], note: string): BenchMetric => ({
      metric: `hosted page p95 server time (${label})`,
      value: Math.round(percentile(times, 95) * 100) / 100,
      unit: 'ms',
      target: '< 20 ms',
      pass: percentile(times, 95) < 20,
      note: `p50 ${percentile(times, 50).toFixed(2)} ms${note}`,
    });
    metrics.push(
      pageMetric('first open', first, `, ${first.length} pages over 7 templates`),
      pageMetric('reopen', again, ''),
    );

    // Page weight per template: the page and everything it loads on a desktop (QR and logos included).
    for (const [i, template] of templates.entries()) {
      const webId = made[i]!;
      const html = await (await request(`${base}/pay/${webId}`)).body.text();
      const refs = [
        ...html.matchAll(/(?:href|src)="(\/(?:webui\/assets|providers\/logos|pay)\/[^"?]+)"/g),
      ].map((m) => m[1]!);
      let bytes = Buffer.byteLength(html);
      let gz = gzipSync(html).length;
      let js = 0;
      for (const ref of new Set(refs)) {
        const body = Buffer.from(await (await request(`${base}${ref}`)).body.arrayBuffer());
        bytes += body.length;
        gz += gzipSync(body).length;
        if (ref.endsWith('.js')) js += body.length;
      }
      metrics.push({
        metric: `page weight ${template}`,
        value: Math.round((bytes / 1024) * 10) / 10,
        unit: 'KB',
        target: '< 60 KB, JS < 10 KB',
        pass: bytes < 60 * 1024 && js < 10 * 1024,
        note: `JS ${(js / 1024).toFixed(1)} KB; ${(gz / 1024).toFixed(1)} KB gzipped; ${new Set(refs).size} requests`,
      });
    }

    await bare.app.close();
    await bare.pool.end();
    await pageApp.close();
    await app.close();
    await store.close();
  } finally {
    await db.drop();
  }
  const report = { name: 'links-create', metrics };
  for (const m of metrics) {
    process.stderr.write(
      `${m.metric}: ${m.value} ${m.unit}${m.baseline !== undefined ? ` (baseline ${m.baseline}, ratio ${m.ratio})` : ''} ${m.pass ? 'PASS' : 'FAIL'}${m.note ? ` — ${m.note}` : ''}\n`,
    );
  }
  emit(report);
}

await main();
