import type { PgBoss, QueueOptions } from 'pg-boss';
import type { Logger } from 'pino';

/** What a handler did with one job. Handlers are idempotent: a job may run again after a crash. */
export type JobOutcome =
  | { status: 'completed'; detail?: string }
  /** Nothing to do (already done, superseded, stale): completes the job. */
  | { status: 'skipped'; detail: string }
  /** Transient failure: the queue retries the job with its own policy. */
  | { status: 'retry'; error: string }
  /** Permanent failure: no retry. */
  | { status: 'failed'; error: string };

export interface WorkerJob<T> {
  id: string;
  data: T;
  /** How many times the queue already retried this job (crash or expiry included). */
  retryCount: number;
  signal: AbortSignal;
}

export interface QueueDefinition<T = Record<string, unknown>> {
  name: string;
  /** Queue policy for jobs that fail or whose worker dies (retryLimit, expireInSeconds, ...). */
  queue?: QueueOptions;
  /** Jobs fetched per poll; a batch handler gets them together, a per-job handler runs them concurrently. */
  batchSize?: number;
  /** Pollers per process. */
  localConcurrency?: number;
  /** Poll interval for jobs that become due later (retries); new jobs wake the worker through NOTIFY. */
  pollingIntervalSeconds?: number;
  handle?: (job: WorkerJob<T>) => Promise<JobOutcome>;
  handleBatch?: (jobs: WorkerJob<T>[]) => Promise<JobOutcome[]>;
}

export interface ScheduleDefinition {
  queue: string;
  cron: string;
  data?: Record<string, unknown>;
}

/**
 * Runs when the worker has started, with the worker's logger; may return a function that stops what it started
 * (before the queue stops).
 */
export type StartHook = (boss: PgBoss, log: Logger) => Promise<(() => Promise<void>) | undefined>;

/** Modules declare their background work here at composition time; `startWorker` runs it. */
export interface WorkerRegistry {
  register<T>(definition: QueueDefinition<T>): void;
  schedule(definition: ScheduleDefinition): void;
  onStart(hook: StartHook): void;
  readonly queues: readonly QueueDefinition<never>[];
  readonly schedules: readonly ScheduleDefinition[];
  readonly startHooks: readonly StartHook[];
}

export function createWorkerRegistry(): WorkerRegistry {
  const queues: QueueDefinition<never>[] = [];
  const schedules: ScheduleDefinition[] = [];
  const startHooks: StartHook[] = [];
  return {
    register(definition) {
      if (!definition.handle === !definition.handleBatch) {
        throw new Error(`queue ${definition.name}: give exactly one of handle or handleBatch`);
      }
      if (queues.some((q) => q.name === definition.name))
        throw new Error(`queue ${definition.name} registered twice`);
      queues.push(definition as unknown as QueueDefinition<never>);
    },
    schedule(definition) {
      schedules.push(definition);
    },
    onStart(hook) {
      startHooks.push(hook);
    },
    queues,
    schedules,
    startHooks,
  };
}
