/**
 * Start-up time and memory of `ferry start` on the embedded database, against its two floors measured in the same
 * run: a bare Fastify server started the same way, and a bare PGlite process opening the same data folder.
 * Rounds are interleaved (Fastify, PGlite, Ferry on the existing folder, Ferry on a new folder) and each figure is
 * the median of its per-round comparison, so a swing of the machine moves a baseline and its run together.
 *
 * Targets (issue 17): existing folder ≤ bare PGlite + bare Fastify + 1 s; RSS ≤ bare PGlite RSS + 100 MiB;
 * new folder ≤ 2 × existing folder. Run: npx tsx bench/startup.ts (BENCH_STARTUP_ROUNDS, default 5).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { emit } from './lib/report.js';

const root = fileURLToPath(new URL('../', import.meta.url));
const rounds = Number(process.env.BENCH_STARTUP_ROUNDS ?? 5);

interface Started {
  ms: number;
  rssMb: number;
}

/** Spawns, waits until `ready(out)` holds (polling /health when it returns a URL), reads RSS, then stops it. */
async function timeToReady(
  args: string[],
  env: Record<string, string>,
  ready: (out: string) => string | boolean,
): Promise<Started> {
  const started = performance.now();
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => {
    out += d;
  });
  child.stderr.on('data', (d) => {
    err += d;
  });
  try {
    for (;;) {
      const state = ready(out);
      if (state === true) break;
      if (typeof state === 'string') {
        const res = await fetch(`${state}/health`).catch(() => undefined);
        if (res?.ok) break;
      }
      if (child.exitCode !== null) throw new Error(`exited early: ${out}${err}`);
      if (performance.now() - started > 120_000) throw new Error(`timeout: ${out}${err}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    const ms = performance.now() - started;
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0);
    return { ms, rssMb: rssKb / 1024 };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}

const bareFastify = `
  const { default: Fastify } = await import('fastify');
  const app = Fastify();
  app.get('/health', async () => ({ status: 'ok' }));
  await app.listen({ port: 0, host: '127.0.0.1' });
  console.log('listening http://127.0.0.1:' + app.server.address().port);
`;
const barePglite = (dir: string) => `
  const { PGlite } = await import('@electric-sql/pglite');
  const db = await PGlite.create(${JSON.stringify(`file://${dir}/pgdata`)});
  await db.query('SELECT 1');
  console.log('opened');
  setInterval(() => {}, 1000);
`;
const urlAfter = (prefix: string) => (out: string) =>
  new RegExp(`${prefix} (http://\\S+)`).exec(out)?.[1] ?? false;
const ferry = (dataDir: string) =>
  timeToReady(
    ['bin/ferry.js', 'start'],
    { FERRY_DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'warn' },
    urlAfter('Ferry listening on'),
  );

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

const work = mkdtempSync(path.join(tmpdir(), 'ferry-bench-start-'));
const existing = path.join(work, 'existing');
try {
  await ferry(existing); // makes the existing folder (keys, first client) once
  const rows: { fastify: Started; pglite: Started; warm: Started; fresh: Started }[] = [];
  for (let round = 0; round < rounds; round++) {
    const fastify = await timeToReady(['--input-type=module', '-e', bareFastify], {}, urlAfter('listening'));
    const pglite = await timeToReady(['--input-type=module', '-e', barePglite(existing)], {}, (out) =>
      out.includes('opened'),
    );
    const warm = await ferry(existing);
    const fresh = await ferry(path.join(work, `fresh-${round}`));
    rows.push({ fastify, pglite, warm, fresh });
  }
  const m = (f: (r: (typeof rows)[number]) => number) => Math.round(median(rows.map(f)));
  const overFloors = m((r) => r.warm.ms - r.pglite.ms - r.fastify.ms);
  const rssOver = m((r) => r.warm.rssMb - r.pglite.rssMb);
  const freshRatio = median(rows.map((r) => r.fresh.ms / r.warm.ms));
  emit({
    name: 'startup',
    metrics: [
      {
        metric: 'ferry start, existing embedded db: time to healthy',
        value: m((r) => r.warm.ms),
        unit: 'ms',
        baseline: m((r) => r.pglite.ms + r.fastify.ms),
        ratio: +median(rows.map((r) => r.warm.ms / (r.pglite.ms + r.fastify.ms))).toFixed(2),
        target: '<= bare PGlite open + bare Fastify start + 1000 ms',
        pass: overFloors <= 1000,
        note: `baseline = bare PGlite open (${m((r) => r.pglite.ms)} ms) + bare Fastify start (${m((r) => r.fastify.ms)} ms); over them by ${overFloors} ms (median of ${rounds} rounds)`,
      },
      {
        metric: 'ferry start RSS after start (existing db)',
        value: m((r) => r.warm.rssMb),
        unit: 'MiB',
        baseline: m((r) => r.pglite.rssMb),
        ratio: +median(rows.map((r) => r.warm.rssMb / r.pglite.rssMb)).toFixed(2),
        target: '<= bare PGlite RSS + 100 MiB',
        pass: rssOver <= 100,
        note: `over bare PGlite by ${rssOver} MiB`,
      },
      {
        metric: 'ferry start, new embedded db: time to healthy',
        value: m((r) => r.fresh.ms),
        unit: 'ms',
        baseline: m((r) => r.warm.ms),
        ratio: +freshRatio.toFixed(2),
        target: '<= 2 x existing db',
        pass: freshRatio <= 2,
        note: 'baseline = the existing-folder start of the same round',
      },
    ],
  });
} finally {
  rmSync(work, { recursive: true, force: true });
}
