import pino, { type Logger } from 'pino';
import type { Clock } from '../shared/clock.js';
import { loggerOptions } from '../shared/redact.js';
import { listen, type Store } from '../store/index.js';
import type { WorkerRegistry } from './registry.js';
import { type RoundResult, type Task, type TaskContext, WORK_CHANNEL } from './task.js';

/** What the worker runs on: the database, the tasks modules added, the clock, the log level. */
export interface WorkerHost {
  store: Store;
  worker: WorkerRegistry;
  clock: Clock;
  config: { logLevel: string };
}

export interface StartWorkerOptions {
  logger?: Logger;
  /** How long stop() waits for tracked work (attempts in flight, running jobs). */
  drainMs?: number;
  /** Delays each task's first round (a wake-up still runs it at once); default 0: at start. */
  firstRoundsAfterMs?: number;
}

export interface Worker {
  /** Runs the start hooks, LISTENs for wake-ups and starts every task's rounds. */
  start(): Promise<void>;
  /** Runs a task's round soon (as a NOTIFY from any process does). */
  wake(task: string): void;
  /**
   * Runs every task until a whole pass finds nothing due and no tracked work is left (time does not move: due
   * times are compared with the injected clock). Works whether or not the worker was started.
   */
  drain(): Promise<void>;
  /** Stops the rounds, waits for tracked work (up to the grace), closes the tasks, runs the start hooks' stops. */
  stop(): Promise<void>;
}

/** A started worker (`ferry start`, `ferry worker`). */
export type RunningWorker = Worker;

interface Lane {
  task: Task;
  ctx: TaskContext;
  running: Promise<RoundResult> | undefined;
  again: boolean;
  timer: NodeJS.Timeout | undefined;
  soon: NodeJS.Timeout | undefined;
  tracked: Set<Promise<unknown>>;
}

const DRAIN_PASSES = 1000;

export async function startWorker(host: WorkerHost, options: StartWorkerOptions = {}): Promise<Worker> {
  const worker = createWorker(host, options);
  await worker.start();
  return worker;
}

export function createWorker(host: WorkerHost, options: StartWorkerOptions = {}): Worker {
  const log = options.logger ?? pino({ ...loggerOptions(host.config.logLevel), name: 'worker' });
  const abort = new AbortController();
  const lanes = new Map<string, Lane>();
  const stoppers: (() => Promise<void>)[] = [];
  let setUp: Promise<void> | undefined;
  let started = false;
  let stopped = false;
  let unlisten: (() => Promise<void>) | undefined;

  for (const task of host.worker.tasks) {
    const lane: Lane = {
      task,
      running: undefined,
      again: false,
      timer: undefined,
      soon: undefined,
      tracked: new Set(),
      ctx: undefined as unknown as TaskContext,
    };
    lane.ctx = {
      now: () => host.clock.now(),
      signal: abort.signal,
      track(work) {
        const p = work.then(
          () => {},
          (err) => log.error({ err, task: task.name }, 'background work failed'),
        );
        lane.tracked.add(p);
        void p.finally(() => lane.tracked.delete(p));
      },
      get inFlight() {
        return lane.tracked.size;
      },
      wake: () => wake(task.name),
    };
    lanes.set(task.name, lane);
  }

  const setup = () => {
    setUp ??= (async () => {
      for (const hook of host.worker.startHooks) {
        const stop = await hook();
        if (stop) stoppers.push(stop);
      }
    })();
    return setUp;
  };

  /** One round; a round that throws is logged and counts as idle (the period brings it back). */
  const roundOf = (lane: Lane): Promise<RoundResult> =>
    lane.task.round(lane.ctx).catch((err) => {
      log.error({ err, task: lane.task.name }, 'background round failed');
      return 'idle' as const;
    });

  const schedule = (lane: Lane, ms: number) => {
    if (!started || stopped) return;
    if (lane.timer) clearTimeout(lane.timer);
    lane.timer = setTimeout(() => run(lane), ms);
    lane.timer.unref();
  };

  /** Rounds back to back while they find more, or while wakes come in; then the period. */
  function run(lane: Lane): void {
    if (stopped) return;
    if (lane.running) {
      lane.again = true;
      return;
    }
    if (lane.timer) clearTimeout(lane.timer);
    lane.running = (async () => {
      let result: RoundResult;
      do {
        lane.again = false;
        result = await roundOf(lane);
      } while ((result === 'more' || lane.again) && !stopped);
      return result;
    })();
    void lane.running.finally(() => {
      lane.running = undefined;
      if (lane.again) run(lane);
      else schedule(lane, lane.task.everyMs);
    });
  }

  function wake(name: string): void {
    const lane = lanes.get(name);
    if (!lane || !started || stopped) return;
    const delay = lane.task.coalesceMs ?? 0;
    if (delay <= 0) {
      run(lane);
      return;
    }
    lane.soon ??= setTimeout(() => {
      lane.soon = undefined;
      run(lane);
    }, delay);
  }

  return {
    async start() {
      if (started) return;
      await setup();
      started = true;
      unlisten = await listen(
        host.store,
        [WORK_CHANNEL],
        (_channel, payload) => {
          // An empty payload: the connection was lost and is back; anything may have been missed.
          if (payload) wake(payload);
          else for (const name of lanes.keys()) wake(name);
        },
        { name: 'ferry-worker', onError: (err) => log.warn({ err }, 'worker LISTEN connection lost') },
      );
      const delay = options.firstRoundsAfterMs ?? 0;
      for (const lane of lanes.values()) {
        if (delay > 0) schedule(lane, delay);
        else run(lane);
      }
    },

    wake,

    async drain() {
      await setup();
      for (let pass = 0; pass < DRAIN_PASSES; pass += 1) {
        let busy = false;
        for (const lane of lanes.values()) {
          while (lane.running) {
            if ((await lane.running) !== 'idle') busy = true;
          }
          // Holds the lane while it drains, so a timer or a wake does not run a second round beside it.
          lane.running = (async () => {
            let result: RoundResult;
            do {
              result = await roundOf(lane);
              if (result !== 'idle') busy = true;
            } while (result === 'more');
            return result;
          })();
          await lane.running;
          lane.running = undefined;
          if (lane.tracked.size > 0) {
            busy = true;
            await Promise.allSettled([...lane.tracked]);
          }
          if (lane.again) run(lane);
        }
        if (!busy) return;
      }
      throw new Error(`worker drain: still busy after ${DRAIN_PASSES} passes`);
    },

    async stop() {
      if (stopped) return;
      stopped = true;
      abort.abort();
      for (const lane of lanes.values()) {
        if (lane.timer) clearTimeout(lane.timer);
        if (lane.soon) clearTimeout(lane.soon);
      }
      await unlisten?.();
      await Promise.allSettled([...lanes.values()].map((l) => l.running));
      const tracked = [...lanes.values()].flatMap((l) => [...l.tracked]);
      let grace: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.allSettled(tracked),
        new Promise((resolve) => {
          grace = setTimeout(resolve, options.drainMs ?? 20_000);
        }),
      ]);
      clearTimeout(grace);
      for (const lane of lanes.values()) {
        await lane.task
          .close?.()
          .catch((err) => log.error({ err, task: lane.task.name }, 'task close failed'));
      }
      for (const stop of stoppers.reverse())
        await stop().catch((err) => log.error({ err }, 'stop hook failed'));
    },
  };
}
