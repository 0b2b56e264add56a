import { sql } from 'kysely';
import { fromPglite, type JobResult, PgBoss } from 'pg-boss';
import pino, { type Logger } from 'pino';
import { loggerOptions } from '../shared/redact.js';
import type { Store } from '../store/index.js';
import type { JobOutcome, QueueDefinition, WorkerJob, WorkerRegistry } from './registry.js';

/** What the worker runs on: the database, the work modules registered, and the log level. */
export interface WorkerHost {
  store: Store;
  worker: WorkerRegistry;
  config: { logLevel: string };
}

export interface RunningWorker {
  readonly boss: PgBoss;
  /** Stops the start hooks, then drains: waits for running jobs (up to the grace period) before returning. */
  stop(): Promise<void>;
}

export interface StartWorkerOptions {
  logger?: Logger;
  /** How long stop() waits for running jobs. */
  drainMs?: number;
}

/** Schema pg-boss keeps its tables in (created and migrated by pg-boss itself on start). */
export const BOSS_SCHEMA = 'pgboss';

/**
 * Starts the durable queue on the Store's database (PGlite in-process, or the PostgreSQL server) and every
 * queue, schedule and start hook that modules registered on `services.worker`.
 */
export async function startWorker(
  services: WorkerHost,
  options: StartWorkerOptions = {},
): Promise<RunningWorker> {
  const log = options.logger ?? pino({ ...loggerOptions(services.config.logLevel), name: 'worker' });
  const boss = createBoss(services);
  boss.on('error', (error) => log.error({ err: error }, 'queue error'));
  boss.on('warning', (warning) => log.warn({ warning }, 'queue warning'));
  await boss.start();

  const registry = services.worker;
  for (const q of registry.queues) {
    await boss.createQueue(q.name, { ...q.queue, notify: true });
  }
  // An embedded database belongs to one process at a time, so jobs left active were orphaned by a crash
  // (kill -9, power loss): hand them back now instead of waiting for them to expire.
  if (services.store.pglite)
    await reclaimOrphans(
      services,
      boss,
      registry.queues.map((q) => q.name),
      log,
    );
  for (const q of registry.queues) await work(boss, q, log);
  for (const s of registry.schedules) {
    await boss.schedule(s.queue, s.cron, s.data ?? null, { tz: 'UTC' });
  }
  const stoppers: (() => Promise<void>)[] = [];
  try {
    for (const hook of registry.startHooks) {
      const stopHook = await hook(boss, log);
      if (stopHook) stoppers.push(stopHook);
    }
  } catch (error) {
    await boss.stop({ graceful: false, close: true });
    throw error;
  }

  let stopping: Promise<void> | undefined;
  return {
    boss,
    stop() {
      stopping ??= (async () => {
        for (const s of stoppers.reverse()) await s().catch((err) => log.error({ err }, 'stop hook failed'));
        // Graceful: waits for running handlers (up to drainMs); anything still running is failed and retried later.
        await boss.stop({ graceful: true, close: true, timeout: options.drainMs ?? 20_000 });
      })();
      return stopping;
    },
  };
}

// Expired jobs (their worker died) are found by this sweep; the default minute makes crash recovery slow.
const SUPERVISE_SECONDS = 10;

async function reclaimOrphans(
  services: WorkerHost,
  boss: PgBoss,
  names: string[],
  log: Logger,
): Promise<void> {
  if (names.length === 0) return;
  const { rows } = await sql<{ id: string; name: string }>`
    SELECT id, name FROM ${sql.table(`${BOSS_SCHEMA}.job`)}
    WHERE state = 'active' AND name IN (${sql.join(names)})`.execute(services.store.db);
  for (const name of names) {
    const ids = rows.filter((r) => r.name === name).map((r) => r.id);
    if (ids.length === 0) continue;
    await boss.fail(name, ids, { error: 'worker process died while the job was active' });
    log.warn({ queue: name, jobs: ids.length }, 'reclaimed jobs orphaned by a previous process');
  }
}

function createBoss(services: WorkerHost): PgBoss {
  const { store } = services;
  if (store.pglite) {
    return new PgBoss({
      db: fromPglite(store.pglite),
      backend: 'pglite',
      schema: BOSS_SCHEMA,
      useListenNotify: true,
      superviseIntervalSeconds: SUPERVISE_SECONDS,
    });
  }
  const connectionString = store.pool?.options.connectionString;
  if (!connectionString)
    throw new Error('startWorker: the store has neither PGlite nor a pool connection string');
  return new PgBoss({
    connectionString,
    schema: BOSS_SCHEMA,
    max: 4,
    useListenNotify: true,
    superviseIntervalSeconds: SUPERVISE_SECONDS,
    application_name: 'ferry-worker',
  });
}

async function work(boss: PgBoss, q: QueueDefinition<never>, log: Logger): Promise<void> {
  const run = async (jobs: WorkerJob<never>[]): Promise<JobOutcome[]> => {
    if (q.handleBatch) return q.handleBatch(jobs);
    return Promise.all(
      jobs.map((job) =>
        q.handle!(job).catch((error: Error): JobOutcome => ({ status: 'retry', error: error.message })),
      ),
    );
  };
  await boss.work<never>(
    q.name,
    {
      batchSize: q.batchSize ?? 1,
      localConcurrency: q.localConcurrency ?? 1,
      pollingIntervalSeconds: q.pollingIntervalSeconds ?? 2,
      notifyPollingIntervalSeconds: q.pollingIntervalSeconds ?? 2,
      burstWhenBatchFull: true,
      perJobResults: true,
    },
    async (jobs): Promise<JobResult[]> => {
      let outcomes: JobOutcome[];
      try {
        outcomes = await run(
          jobs.map((j) => ({ id: j.id, data: j.data, retryCount: j.retryCount, signal: j.signal })),
        );
      } catch (error) {
        log.error({ err: error, queue: q.name }, 'job handler threw');
        outcomes = jobs.map(() => ({ status: 'retry', error: (error as Error).message }));
      }
      return jobs.map((job, i) => toResult(job.id, outcomes[i]));
    },
  );
}

function toResult(id: string, outcome: JobOutcome | undefined): JobResult {
  if (!outcome) return { id, status: 'failed', output: { error: 'handler returned no outcome' } };
  switch (outcome.status) {
    case 'completed':
    case 'skipped':
      return { id, status: 'completed', output: outcome };
    case 'retry':
      return { id, status: 'failed', output: outcome };
    case 'failed':
      return { id, status: 'deadletter', output: outcome };
  }
}
