/**
 * `npm run bench`: runs every benchmark in bench/ (each a script that prints one BENCH_REPORT line), each with
 * its baseline measured in the same run, against the local PostgreSQL server (BENCH_DATABASE_URL, default
 * postgres://postgres@127.0.0.1:5432/test: benches create and drop their own databases). Prints one table and
 * writes bench/results/latest.json.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type BenchReport, REPORT_PREFIX } from './lib/report.js';

const dir = fileURLToPath(new URL('./', import.meta.url));
const only = process.argv.slice(2);
const scripts = readdirSync(dir)
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts' && !f.endsWith('.test.ts'))
  .filter((f) => only.length === 0 || only.some((o) => f.startsWith(o)))
  .sort();

const env = {
  ...process.env,
  BENCH_DATABASE_URL: process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
  LOG_LEVEL: 'warn',
};

const reports: (BenchReport & { script: string; seconds: number; error?: string })[] = [];
for (const script of scripts) {
  process.stderr.write(`bench: ${script} ...\n`);
  const started = Date.now();
  const run = spawnSync(process.execPath, ['--import', 'tsx', `${dir}${script}`], {
    env,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    timeout: 30 * 60_000,
  });
  const seconds = Math.round((Date.now() - started) / 100) / 10;
  const line = run.stdout
    .split('\n')
    .reverse()
    .find((l) => l.startsWith(REPORT_PREFIX));
  if (run.status !== 0 || !line) {
    reports.push({
      script,
      name: script,
      metrics: [],
      seconds,
      error: (run.stderr || run.stdout).slice(-2000),
    });
    continue;
  }
  reports.push({ script, seconds, ...(JSON.parse(line.slice(REPORT_PREFIX.length)) as BenchReport) });
}

const rows: string[][] = [['bench', 'metric', 'value', 'baseline', 'ratio', 'target', 'pass']];
for (const r of reports) {
  if (r.error)
    rows.push([r.name, `FAILED: ${r.error.split('\n').filter(Boolean).at(-1) ?? ''}`, '', '', '', '', '✗']);
  for (const m of r.metrics) {
    rows.push([
      r.name,
      m.metric,
      `${m.value} ${m.unit}`,
      m.baseline === undefined ? '' : `${m.baseline} ${m.unit}`,
      m.ratio === undefined ? '' : String(m.ratio),
      m.target ?? '',
      m.pass === undefined ? '' : m.pass ? '✓' : '✗',
    ]);
  }
}
const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
const table = rows.map((row) => `| ${row.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`);
table.splice(1, 0, `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
console.log(table.join('\n'));

mkdirSync(`${dir}results`, { recursive: true });
writeFileSync(
  `${dir}results/latest.json`,
  `${JSON.stringify({ at: new Date().toISOString(), node: process.version, reports }, null, 2)}\n`,
);
process.exitCode = reports.some((r) => r.error) ? 1 : 0;
