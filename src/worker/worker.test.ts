import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/support/test-app.js';
import { waitFor } from '../../test/support/webhook-receiver.js';
import { ROTATE_QUEUE } from '../webhooks/index.js';
import {
  BOSS_SCHEMA,
  createWorkerRegistry,
  type JobOutcome,
  type RunningWorker,
  startWorker,
} from './index.js';

let t: TestApp;
let worker: RunningWorker;
const runs = new Map<string, number>();
let slowStarted = false;
let slowFinished = false;

beforeAll(async () => {
  t = await createTestApp();
  t.services.worker.register<{ kind: string }>({
    name: 'test-outcomes',
    queue: { retryLimit: 2, retryDelay: 0 },
    batchSize: 5,
    pollingIntervalSeconds: 0.5,
    handle: async (job): Promise<JobOutcome> => {
      runs.set(job.data.kind, (runs.get(job.data.kind) ?? 0) + 1);
      switch (job.data.kind) {
        case 'completed':
          return { status: 'completed', detail: 'done' };
        case 'skipped':
          return { status: 'skipped', detail: 'already done' };
        case 'retry-once':
          return job.retryCount === 0 ? { status: 'retry', error: 'transient' } : { status: 'completed' };
        case 'throws':
          throw new Error('boom');
        default:
          return { status: 'failed', error: 'permanent' };
      }
    },
  });
  t.services.worker.register<Record<string, never>>({
    name: 'test-slow',
    handle: async () => {
      slowStarted = true;
      await new Promise((r) => setTimeout(r, 1500));
      slowFinished = true;
      return { status: 'completed' };
    },
  });
  t.services.worker.schedule({ queue: 'test-slow', cron: '0 0 1 1 *' });
  worker = await startWorker(t.services);
});
afterAll(async () => {
  await worker?.stop();
  await t?.close();
});

const jobState = async (id: string) =>
  (
    await sql<{ state: string; retry_count: number; output: unknown }>`
      SELECT state, retry_count, output FROM ${sql.table(`${BOSS_SCHEMA}.job`)} WHERE id = ${id}`.execute(
      t.store.db,
    )
  ).rows[0];

describe('worker registry and outcomes', () => {
  it('settles each job by its explicit outcome', async () => {
    const ids: Record<string, string> = {};
    for (const kind of ['completed', 'skipped', 'retry-once', 'failed', 'throws']) {
      ids[kind] = (await worker.boss.send('test-outcomes', { kind }))!;
    }
    await waitFor(async () => (await jobState(ids['throws']!))?.state === 'failed', 20_000);
    await waitFor(async () => (await jobState(ids['retry-once']!))?.state === 'completed', 20_000);
    expect(await jobState(ids['completed']!)).toMatchObject({ state: 'completed', retry_count: 0 });
    expect(await jobState(ids['skipped']!)).toMatchObject({
      state: 'completed',
      output: { status: 'skipped', detail: 'already done' },
    });
    expect(await jobState(ids['retry-once']!)).toMatchObject({ state: 'completed', retry_count: 1 });
    // 'failed' is permanent: no retries spent. A throwing handler is transient: retried up to retryLimit.
    expect(await jobState(ids['failed']!)).toMatchObject({ state: 'failed', retry_count: 0 });
    expect(runs.get('failed')).toBe(1);
    expect(runs.get('throws')).toBe(3);
  });

  it('creates the registered schedules, including webhook key rotation', async () => {
    const schedules = await worker.boss.getSchedules();
    expect(schedules.map((s) => s.name)).toEqual(expect.arrayContaining(['test-slow', ROTATE_QUEUE]));
  });

  it('refuses a queue registered twice or without exactly one handler', () => {
    const registry = createWorkerRegistry();
    registry.register({ name: 'q', handle: async () => ({ status: 'completed' }) });
    expect(() => registry.register({ name: 'q', handle: async () => ({ status: 'completed' }) })).toThrow(
      /twice/,
    );
    expect(() => registry.register({ name: 'r' })).toThrow(/exactly one/);
  });

  it('stops gracefully: a running job finishes before stop() returns', async () => {
    const id = (await worker.boss.send('test-slow', {}))!;
    await waitFor(() => slowStarted, 20_000);
    expect(slowFinished).toBe(false);
    await worker.stop();
    expect(slowFinished).toBe(true);
    expect(await jobState(id)).toMatchObject({ state: 'completed' });
  });
});
