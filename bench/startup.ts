/**
 * Start-up time and memory of `ferry start` on a fresh embedded database (first start, which creates and
 * migrates the database) and on an existing one, against a bare Fastify server started the same way in the
 * same run. Run: npx tsx bench/startup.ts
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { emit } from './lib/report.js';

const root = fileURLToPath(new URL('../', import.meta.url));

async function timeToHealthy(
  args: string[],
  env: Record<string, string>,
  urlOf: (out: string) => string | undefined,
) {
  const started = performance.now();
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => {
    out += d;
  });
  try {
    for (;;) {
      const url = urlOf(out);
      if (url) {
        const res = await fetch(`${url}/health`).catch(() => undefined);
        if (res?.ok) break;
      }
      if (child.exitCode !== null) throw new Error(`exited early: ${out}`);
      if (performance.now() - started > 120_000) throw new Error(`timeout: ${out}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    const ms = performance.now() - started;
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0);
    return { ms, rssMb: rssKb / 1024 };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}

const bare = `
  const { default: Fastify } = await import('fastify');
  const app = Fastify();
  app.get('/health', async () => ({ status: 'ok' }));
  await app.listen({ port: 0, host: '127.0.0.1' });
  console.log('listening http://127.0.0.1:' + app.server.address().port);
`;
const bareUrl = (out: string) => /listening (http:\/\/\S+)/.exec(out)?.[1];
const ferryUrl = (out: string) => /Ferry listening on (http:\/\/\S+)/.exec(out)?.[1];
const ferryArgs = ['bin/ferry.js', 'start'];

const dir = mkdtempSync(path.join(tmpdir(), 'ferry-bench-start-'));
try {
  const baseline = await timeToHealthy(['--input-type=module', '-e', bare], {}, bareUrl);
  const env = { FERRY_DATA_DIR: dir, PORT: '0', LOG_LEVEL: 'warn' };
  const first = await timeToHealthy(ferryArgs, env, ferryUrl);
  const warm = await timeToHealthy(ferryArgs, env, ferryUrl);
  emit({
    name: 'startup',
    metrics: [
      {
        metric: 'ferry start, fresh embedded db: time to healthy',
        value: Math.round(first.ms),
        unit: 'ms',
        baseline: Math.round(baseline.ms),
        ratio: +(first.ms / baseline.ms).toFixed(2),
      },
      {
        metric: 'ferry start, existing embedded db: time to healthy',
        value: Math.round(warm.ms),
        unit: 'ms',
        baseline: Math.round(baseline.ms),
        ratio: +(warm.ms / baseline.ms).toFixed(2),
      },
      {
        metric: 'ferry start RSS after start (existing db)',
        value: Math.round(warm.rssMb),
        unit: 'MiB',
        baseline: Math.round(baseline.rssMb),
        ratio: +(warm.rssMb / baseline.rssMb).toFixed(2),
      },
    ],
  });
} finally {
  rmSync(dir, { recursive: true, force: true });
}
