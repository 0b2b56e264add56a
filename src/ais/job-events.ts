import type { Transaction } from 'kysely';
import type { Ids } from '../shared/ids.js';
import type { Database } from '../store/index.js';
import { recordEvent } from '../webhooks/index.js';
import { wakeTask } from '../worker/index.js';
import type { AisDeps } from './ais.context.js';
import type { Consent } from './consent.repository.js';
import { emptyResults, insertJob, type Job, type JobResults, updateJobStatus } from './job.repository.js';
import { type JobEvent, jobScopeOf, nextJobStatus } from './job-status.js';

/** Moves a job one step and writes job_status_update in the same transaction. Undefined when nothing changed. */
export async function applyJobEvent(
  trx: Transaction<Database>,
  ids: Ids,
  consent: Consent,
  job: Job,
  event: JobEvent,
  now: Date,
  patch: { results?: JobResults; error?: string | null } = {},
): Promise<Job | undefined> {
  const next = nextJobStatus(job.status, event, jobScopeOf(consent.scope));
  if (!next) return undefined;
  const final = next === 'job_completed' || next === 'job_partially_completed' || next === 'job_failed';
  const updated = await updateJobStatus(
    trx,
    job,
    next,
    { ...patch, ...(final ? { finished_at: now } : {}) },
    now,
  );
  if (!updated) return undefined;
  await recordJobEvent(trx, ids, consent, updated, now);
  return updated;
}

export async function recordJobEvent(
  trx: Transaction<Database>,
  ids: Ids,
  consent: Consent,
  job: Job,
  now: Date,
): Promise<void> {
  await recordEvent(trx, {
    type: 'job_status_update',
    clientId: consent.clientId,
    objectId: job.id,
    payload: { consent_id: consent.id, job_id: job.id, status: job.status },
    url: job.callbackUrl ?? consent.webhookUrl,
    id: ids.uuid(),
    at: now,
  });
}

/** The task that runs jobs (ais.tasks.ts names it too; kept here so creating a job needs no import of the tasks). */
export const JOBS_TASK = 'ais.jobs';

/** A job was created in `trx`: every worker process's `ais.jobs` runs at its commit, not at its next poll. */
export const wakeJobs = (trx: Transaction<Database>) => wakeTask(trx, JOBS_TASK);

/** The first job, created with the authorisation (same transaction), and ais.jobs woken at its commit. */
export async function createInitialJob(
  deps: Pick<AisDeps, 'ids'>,
  trx: Transaction<Database>,
  consent: Consent,
  now: Date,
): Promise<Job> {
  const job = await insertJob(trx, {
    id: deps.ids.uuid(),
    consent_id: consent.id,
    status: 'job_started',
    kind: 'initial',
    callback_url: null,
    results: JSON.stringify(emptyResults()),
    created_at: now,
    updated_at: now,
  });
  await recordJobEvent(trx, deps.ids, consent, job, now);
  await wakeJobs(trx);
  return job;
}
