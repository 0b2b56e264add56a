import { hostname } from 'node:os';
import type { RoundResult, TaskContext, WorkerRegistry } from '../worker/index.js';
import type { AisDeps } from './ais.context.js';
import {
  type Consent,
  listAuthorizedIdle,
  listDueForBankCheck,
  listExpiredLinks,
  listValidityEnded,
} from './consent.repository.js';
import { checkAtBank, deleteAtBank } from './consent-bank.js';
import { applyConsentEvent } from './consent-events.js';
import { claimDueJobs, countJobs } from './job.repository.js';
import { createInitialJob, JOBS_TASK } from './job-events.js';
import { type RunOutcome, runClaimedJob, runJob } from './job-runner.js';

export const EXPIRE_LINKS_TASK = 'ais.expire-links';
export const VALIDITY_TASK = 'ais.end-validity';
export const INITIAL_RETRY_TASK = 'ais.retry-initial-jobs';
export const BANK_CHECK_TASK = 'ais.check-consents';
export const aisTaskNames = [
  JOBS_TASK,
  EXPIRE_LINKS_TASK,
  VALIDITY_TASK,
  INITIAL_RETRY_TASK,
  BANK_CHECK_TASK,
] as const;

/** The AIS background work one process runs, one call at a time (tests call them; the tasks run them). */
export interface AisBackground {
  /** Who holds this process's job leases (`locked_by`). */
  readonly id: string;
  sweepExpiredLinks(): Promise<number>;
  sweepValidityEnded(): Promise<number>;
  retryInitialJobs(): Promise<number>;
  checkActiveConsents(): Promise<number>;
  /** Runs one job now under this process's lease, or under the name `as` (tests play two processes). */
  runJob(jobId: string, as?: string): Promise<RunOutcome>;
}

const BATCH = 50;
const BANK_CHECK_BATCH = 10;

export function createAisBackground(deps: AisDeps): AisBackground {
  const id = `${hostname()}:${process.pid}:${deps.ids.token(4)}`;
  return {
    id,
    sweepExpiredLinks: () => sweepExpiredLinks(deps),
    sweepValidityEnded: () => sweepValidityEnded(deps),
    retryInitialJobs: () => retryInitialJobs(deps),
    checkActiveConsents: () => checkActiveConsents(deps),
    runJob: (jobId, as = id) => runJob(deps, jobId, as),
  };
}

const resultOf = (handled: number, batch: number): RoundResult =>
  handled >= batch ? 'more' : handled > 0 ? 'done' : 'idle';

/**
 * AIS on the worker model: `ais.jobs` claims due jobs (SKIP LOCKED, under the job lease) as far as this process
 * has room and runs them as tracked work; each sweep is a task of its own with its own period.
 */
export function addAisTasks(registry: WorkerRegistry, deps: AisDeps, background: AisBackground): void {
  const every = deps.settings.taskEveryMs;
  registry.add({
    name: JOBS_TASK,
    everyMs: every.jobs,
    round: (ctx) => claimAndRun(deps, background.id, ctx),
  });
  registry.add({
    name: EXPIRE_LINKS_TASK,
    everyMs: every.expireLinks,
    round: async () => resultOf(await background.sweepExpiredLinks(), BATCH),
  });
  registry.add({
    name: VALIDITY_TASK,
    everyMs: every.validityEnded,
    round: async () => resultOf(await background.sweepValidityEnded(), BATCH),
  });
  registry.add({
    name: INITIAL_RETRY_TASK,
    everyMs: every.initialJobRetries,
    round: async () => resultOf(await background.retryInitialJobs(), BATCH),
  });
  registry.add({
    name: BANK_CHECK_TASK,
    everyMs: every.bankChecks,
    // Never `more`: the period paces the calls to the banks (BANK_CHECK_BATCH per period at most).
    round: async () => ((await background.checkActiveConsents()) > 0 ? 'done' : 'idle'),
  });
}

/** One round of `ais.jobs`: claims what this process has room for; a job's end frees room and wakes the task. */
async function claimAndRun(deps: AisDeps, worker: string, ctx: TaskContext): Promise<RoundResult> {
  const room = deps.settings.workerConcurrency - ctx.inFlight;
  if (room <= 0) return 'idle';
  const now = ctx.now();
  const jobs = await claimDueJobs(
    deps.db,
    worker,
    now,
    new Date(now.getTime() + deps.settings.jobLeaseMs),
    room,
  );
  for (const job of jobs) {
    ctx.track(
      runClaimedJob(deps, job, worker)
        .catch((error) => deps.log('error', 'refresh job crashed', { job_id: job.id, error: String(error) }))
        .finally(() => ctx.wake()),
    );
  }
  return resultOf(jobs.length, room);
}

/** Links that passed expires_at before the SCA: expired (and the bank consent, if any, deleted). */
export async function sweepExpiredLinks(deps: AisDeps): Promise<number> {
  const now = deps.clock.now();
  return endEach(
    deps,
    await listExpiredLinks(deps.db, now, BATCH),
    'link_expired',
    now,
    () => 'The link expired before the bank authorised the consent.',
  );
}

/** Consents past authorized_until: revoked, and the bank consent deleted. */
export async function sweepValidityEnded(deps: AisDeps): Promise<number> {
  const now = deps.clock.now();
  return endEach(
    deps,
    await listValidityEnded(deps.db, now, BATCH),
    'validity_ended',
    now,
    (c) => `The consent validity (${c.consentValidityDays} days) ended.`,
  );
}

/** Applies `event` to each consent (with its event, in its own transaction); deletes the bank consents ended. */
async function endEach(
  deps: AisDeps,
  consents: readonly Consent[],
  event: 'link_expired' | 'validity_ended',
  now: Date,
  reason: (consent: Consent) => string,
): Promise<number> {
  let n = 0;
  for (const consent of consents) {
    const changed = await deps.db
      .transaction()
      .execute((trx) =>
        applyConsentEvent(trx, deps.ids, consent, event, now, { status_reason: reason(consent) }),
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
  for (const consent of await listDueForBankCheck(deps.db, before, BANK_CHECK_BATCH)) {
    try {
      if (await checkAtBank(deps, consent)) n += 1;
    } catch (error) {
      deps.log('warn', 'bank consent check failed', { consent_id: consent.id, error: String(error) });
    }
  }
  return n;
}
