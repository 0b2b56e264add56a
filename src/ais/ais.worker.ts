import { hostname } from 'node:os';
import type { AisDeps } from './ais.context.js';
import {
  listAuthorizedIdle,
  listDueForBankCheck,
  listExpiredLinks,
  listValidityEnded,
} from './consent.repository.js';
import { checkAtBank, deleteAtBank } from './consent-bank.js';
import { applyConsentEvent } from './consent-events.js';
import { countJobs, listRunnableJobs } from './job.repository.js';
import { createInitialJob } from './job-events.js';
import { type RunOutcome, runJob } from './job-runner.js';

/** The AIS background work of one process: runs due jobs and the lifecycle sweeps. */
export interface AisWorker {
  readonly id: string;
  /** One pass: sweeps, then starts the jobs this process has room for (does not wait for them). */
  tick(): Promise<void>;
  /** Runs passes until no job is runnable and none is running here (tests and the CLI drain with it). */
  drain(): Promise<void>;
  /** Starts the periodic loop. */
  start(): void;
  /** Asks for a pass soon (after jobs/create or an authorisation), instead of waiting for the period. */
  kick(): void;
  /** Stops the loop and waits for the jobs running here. */
  stop(): Promise<void>;
  /** The sweeps of a pass, one at a time; each returns how many consents it changed. */
  sweepExpiredLinks(): Promise<number>;
  sweepValidityEnded(): Promise<number>;
  checkActiveConsents(): Promise<number>;
  /** Runs one job now under this process's lease, or under the name `as` (tests play two processes). */
  runJob(jobId: string, as?: string): Promise<RunOutcome>;
}

const BATCH = 50;

export function createAisWorker(deps: AisDeps): AisWorker {
  const id = `${hostname()}:${process.pid}:${deps.ids.token(4)}`;
  const running = new Map<string, Promise<void>>();
  let timer: NodeJS.Timeout | undefined;
  let ticking: Promise<void> | undefined;
  let stopped = false;

  const startJobs = async () => {
    const room = deps.settings.workerConcurrency - running.size;
    if (room <= 0) return;
    const due = await listRunnableJobs(deps.db, deps.clock.now(), room + running.size);
    for (const jobId of due) {
      if (running.has(jobId) || running.size >= deps.settings.workerConcurrency) continue;
      const run = runJob(deps, jobId, id)
        .then(() => undefined)
        .catch((error) => deps.log('error', 'refresh job crashed', { job_id: jobId, error: String(error) }))
        .finally(() => {
          running.delete(jobId);
          if (!stopped) worker.kick();
        });
      running.set(jobId, run);
    }
  };

  const pass = async () => {
    await sweepExpiredLinks(deps);
    await sweepValidityEnded(deps);
    await retryInitialJobs(deps);
    await checkActiveConsents(deps);
    await startJobs();
  };

  const worker: AisWorker = {
    id,
    tick() {
      ticking ??= pass()
        .catch((error) => deps.log('error', 'AIS background pass failed', { error: String(error) }))
        .finally(() => {
          ticking = undefined;
        });
      return ticking;
    },
    async drain() {
      for (;;) {
        await worker.tick();
        // Nothing started: no job is due, or the due ones are leased by another process.
        if (running.size === 0) return;
        await Promise.all(running.values());
      }
    },
    start() {
      if (timer || stopped) return;
      const loop = () => {
        timer = setTimeout(async () => {
          await worker.tick();
          if (!stopped) loop();
        }, deps.settings.workerIntervalMs);
        timer.unref();
      };
      loop();
    },
    kick() {
      // Only a process that runs the worker runs jobs: an API-only process leaves them to the worker processes.
      if (stopped || !timer) return;
      setImmediate(() => {
        worker.tick().catch(() => {});
      });
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await ticking;
      await Promise.all(running.values());
    },
    sweepExpiredLinks: () => sweepExpiredLinks(deps),
    sweepValidityEnded: () => sweepValidityEnded(deps),
    checkActiveConsents: () => checkActiveConsents(deps),
    runJob: (jobId, as = id) => runJob(deps, jobId, as),
  };
  return worker;
}

/** Links that passed expires_at before the SCA: expired (and the bank consent, if any, deleted). */
export async function sweepExpiredLinks(deps: AisDeps): Promise<number> {
  const now = deps.clock.now();
  let n = 0;
  for (const consent of await listExpiredLinks(deps.db, now, BATCH)) {
    const changed = await deps.db.transaction().execute((trx) =>
      applyConsentEvent(trx, deps.ids, consent, 'link_expired', now, {
        status_reason: 'The link expired before the bank authorised the consent.',
      }),
    );
    if (changed) {
      n += 1;
      await deleteAtBank(deps, consent);
    }
  }
  return n;
}

/** Consents past authorized_until: revoked, and the bank consent deleted. */
export async function sweepValidityEnded(deps: AisDeps): Promise<number> {
  const now = deps.clock.now();
  let n = 0;
  for (const consent of await listValidityEnded(deps.db, now, BATCH)) {
    const changed = await deps.db.transaction().execute((trx) =>
      applyConsentEvent(trx, deps.ids, consent, 'validity_ended', now, {
        status_reason: `The consent validity (${consent.consentValidityDays} days) ended.`,
      }),
    );
    if (changed) {
      n += 1;
      await deleteAtBank(deps, consent);
    }
  }
  return n;
}

/** Authorised consents whose first job stored nothing get another first job after a pause, a few times. */
export async function retryInitialJobs(deps: AisDeps): Promise<number> {
  const now = deps.clock.now();
  const cut = new Date(now.getTime() - deps.settings.initialJobRetryMs);
  const consents = await listAuthorizedIdle(deps.db, cut, BATCH);
  let n = 0;
  for (const consent of consents) {
    if ((await countJobs(deps.db, consent.id, 'initial')) >= deps.settings.initialJobAttempts) continue;
    try {
      await deps.db.transaction().execute((trx) => createInitialJob(deps, trx, consent, now));
      n += 1;
    } catch {
      // Another worker created it first (the one-unfinished-job index).
    }
  }
  return n;
}

/** Active consents not checked for a while: the PSU may have revoked them at the bank, or the bank blocked them. */
export async function checkActiveConsents(deps: AisDeps): Promise<number> {
  const before = new Date(deps.clock.now().getTime() - deps.settings.bankCheckIntervalMs);
  let n = 0;
  for (const consent of await listDueForBankCheck(deps.db, before, 10)) {
    try {
      if (await checkAtBank(deps, consent)) n += 1;
    } catch (error) {
      deps.log('warn', 'bank consent check failed', { consent_id: consent.id, error: String(error) });
    }
  }
  return n;
}
