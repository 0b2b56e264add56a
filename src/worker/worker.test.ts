import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestStore } from '../../test/support/test-store.js';
import { waitFor } from '../../test/support/webhook-receiver.js';
import { ManualClock } from '../shared/clock.js';
import type { Store } from '../store/index.js';
import {
  createWorker,
  createWorkerRegistry,
  type RoundResult,
  type Task,
  type WorkerRegistry,
  wakeTask,
} from './index.js';

let store: Store;
const clock = new ManualClock('2026-04-01T00:00:00Z');
const host = (worker: WorkerRegistry) => ({ store, worker, clock, config: { logLevel: 'silent' } });

beforeAll(async () => {
  store = await createTestStore();
});
afterAll(async () => {
  await store?.close();
});

/** A task over an in-memory backlog: each round takes up to `batch` items due by the injected clock. */
function backlogTask(name: string, batch: number, everyMs = 60_000) {
  const due: number[] = [];
  const handled: number[] = [];
  let rounds = 0;
  const task: Task = {
    name,
    everyMs,
    async round(ctx): Promise<RoundResult> {
      rounds += 1;
      const now = ctx.now().getTime();
      const take = due.filter((at) => at <= now).slice(0, batch);
      for (const at of take) due.splice(due.indexOf(at), 1);
      handled.push(...take);
      if (take.length === batch) return 'more';
      return take.length > 0 ? 'done' : 'idle';
    },
  };
  return { task, due, handled, rounds: () => rounds };
}

describe('the worker model', () => {
  it('drain() runs every task until nothing is due, by the injected clock, and waits for tracked work', async () => {
    const registry = createWorkerRegistry();
    const a = backlogTask('a', 3);
    const now = clock.now().getTime();
    a.due.push(now, now, now, now, now, now, now, now + 60_000);
    let finished = 0;
    const b: Task = {
      name: 'b',
      everyMs: 60_000,
      async round(ctx) {
        if (finished > 0) return 'idle';
        // Work that outlives the round: drain() waits for it, then looks again.
        ctx.track(new Promise((r) => setTimeout(r, 50)).then(() => (finished += 1)));
        return 'done';
      },
    };
    registry.add(a.task);
    registry.add(b);
    const worker = createWorker(host(registry));
    await worker.drain();
    expect(a.handled).toHaveLength(7); // 3 + 3 + 1: a full round runs again at once
    expect(finished).toBe(1);
    expect(a.due).toEqual([now + 60_000]); // not due yet: time does not move by itself
    clock.advance(60_000);
    await worker.drain();
    expect(a.handled).toHaveLength(8);
    await worker.stop();
  });

  it('a NOTIFY committed by another connection wakes the task at once, not at its period', async () => {
    const registry = createWorkerRegistry();
    const a = backlogTask('wake-me', 10, 3_600_000);
    registry.add(a.task);
    const worker = createWorker(host(registry));
    await worker.start();
    await waitFor(() => a.rounds() >= 1); // the first round at start
    const before = a.rounds();
    a.due.push(clock.now().getTime());
    await store.db.transaction().execute(async (tx) => {
      await wakeTask(tx, 'wake-me');
      // Not before the commit.
      await new Promise((r) => setTimeout(r, 100));
      expect(a.rounds()).toBe(before);
    });
    await waitFor(() => a.handled.length === 1, 5_000);
    expect(a.rounds()).toBe(before + 1);
    await worker.stop();
  });

  it('firstRoundsAfterMs holds the first rounds back (ferry start answers first), a wake-up runs one at once', async () => {
    const registry = createWorkerRegistry();
    const late = backlogTask('late', 10, 3_600_000);
    const woken = backlogTask('woken', 10, 3_600_000);
    registry.add(late.task);
    registry.add(woken.task);
    const worker = createWorker(host(registry), { firstRoundsAfterMs: 400 });
    const started = performance.now();
    await worker.start();
    worker.wake('woken');
    await waitFor(() => woken.rounds() === 1, 5_000);
    expect(late.rounds()).toBe(0);
    await waitFor(() => late.rounds() === 1, 5_000);
    expect(performance.now() - started).toBeGreaterThanOrEqual(390);
    await new Promise((r) => setTimeout(r, 450));
    expect(woken.rounds()).toBe(1); // its held-back first round was the wake-up's, not a second one
    await worker.stop();
  });

  it('a round that throws is logged and the task and the others go on', async () => {
    const registry = createWorkerRegistry();
    let calls = 0;
    registry.add({
      name: 'flaky',
      everyMs: 20,
      async round() {
        calls += 1;
        if (calls === 1) throw new Error('boom');
        return 'idle';
      },
    });
    const other = backlogTask('other', 5);
    other.due.push(clock.now().getTime());
    registry.add(other.task);
    const worker = createWorker(host(registry));
    await worker.start();
    await waitFor(() => calls >= 2 && other.handled.length === 1, 5_000);
    await worker.stop();
  });

  it('stop() ends the rounds, waits for tracked work, then closes tasks and start hooks in reverse', async () => {
    const registry = createWorkerRegistry();
    const order: string[] = [];
    let started = 0;
    registry.onStart(async () => {
      order.push('hook started');
      return async () => {
        order.push('hook stopped');
      };
    });
    registry.add({
      name: 'slow',
      everyMs: 10,
      async round(ctx) {
        started += 1;
        if (started === 1) {
          ctx.track(new Promise((r) => setTimeout(r, 300)).then(() => order.push('tracked work ended')));
        }
        return 'idle';
      },
      async close() {
        order.push('task closed');
      },
    });
    const worker = createWorker(host(registry));
    await worker.start();
    await waitFor(() => started >= 1);
    await worker.stop();
    const rounds = started;
    await new Promise((r) => setTimeout(r, 50));
    expect(started).toBe(rounds); // no round after stop()
    expect(order).toEqual(['hook started', 'tracked work ended', 'task closed', 'hook stopped']);
  });

  it('refuses a task added twice or without a period', () => {
    const registry = createWorkerRegistry();
    registry.add(backlogTask('q', 1).task);
    expect(() => registry.add(backlogTask('q', 1).task)).toThrow(/twice/);
    expect(() => registry.add({ ...backlogTask('r', 1).task, everyMs: 0 })).toThrow(/everyMs/);
  });
});
