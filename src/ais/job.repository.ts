import type { Insertable, Selectable } from 'kysely';
import { sql } from 'kysely';
import type { AisJobsTable } from './ais.schema.js';
import type { Db } from './consent.repository.js';
import { isUuid } from './consent.repository.js';
import type { JobStatus } from './job-status.js';

export type JobRow = Selectable<AisJobsTable>;

export interface JobResults {
  accounts: { fetched: number; inserted: number; updated: number };
  balances: { inserted: number };
  transactions: { inserted: number; updated: number; pending_replaced: number; pending_removed: number };
  /** Wall time of each stage of the run that finished it (operators' view of slow banks). */
  durations_ms: { accounts: number; balances: number; transactions: number };
  errors: JobError[];
}

export interface JobError {
  stage: 'consent' | 'accounts' | 'balances' | 'transactions';
  account_id?: string;
  code: string;
  message: string;
}

export interface Job {
  id: string;
  consentId: string;
  status: JobStatus;
  kind: 'initial' | 'refresh';
  callbackUrl: string | null;
  results: JobResults;
  error: string | null;
  attempts: number;
  lockedBy: string | null;
  lockedUntil: Date | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  updatedAt: Date;
}

export const emptyResults = (): JobResults => ({
  accounts: { fetched: 0, inserted: 0, updated: 0 },
  balances: { inserted: 0 },
  transactions: { inserted: 0, updated: 0, pending_replaced: 0, pending_removed: 0 },
  durations_ms: { accounts: 0, balances: 0, transactions: 0 },
  errors: [],
});

export function toJob(row: JobRow): Job {
  const stored = row.results as Partial<JobResults>;
  const base = emptyResults();
  return {
    id: row.id,
    consentId: row.consent_id,
    status: row.status as JobStatus,
    kind: row.kind,
    callbackUrl: row.callback_url,
    results: {
      accounts: { ...base.accounts, ...stored.accounts },
      balances: { ...base.balances, ...stored.balances },
      transactions: { ...base.transactions, ...stored.transactions },
      durations_ms: { ...base.durations_ms, ...stored.durations_ms },
      errors: stored.errors ?? [],
    },
    error: row.error,
    attempts: row.attempts,
    lockedBy: row.locked_by,
    lockedUntil: row.locked_until,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    updatedAt: row.updated_at,
  };
}

export async function insertJob(db: Db, values: Insertable<AisJobsTable>): Promise<Job> {
  const row = await db.insertInto('ais_jobs').values(values).returningAll().executeTakeFirstOrThrow();
  return toJob(row);
}

export async function findJob(db: Db, id: string): Promise<Job | undefined> {
  if (!isUuid(id)) return undefined;
  const row = await db.selectFrom('ais_jobs').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toJob(row) : undefined;
}

export async function latestJob(db: Db, consentId: string): Promise<Job | undefined> {
  const row = await db
    .selectFrom('ais_jobs')
    .selectAll()
    .where('consent_id', '=', consentId)
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ? toJob(row) : undefined;
}

export async function countJobs(db: Db, consentId: string, kind: 'initial' | 'refresh'): Promise<number> {
  const row = await db
    .selectFrom('ais_jobs')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('consent_id', '=', consentId)
    .where('kind', '=', kind)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Compare-and-set on the status, like consents. */
export async function updateJobStatus(
  db: Db,
  job: Job,
  status: JobStatus,
  patch: { results?: JobResults; error?: string | null; finished_at?: Date | null },
  now: Date,
): Promise<Job | undefined> {
  const row = await db
    .updateTable('ais_jobs')
    .set({
      status,
      updated_at: now,
      ...(patch.results ? { results: JSON.stringify(patch.results) } : {}),
      ...(patch.error !== undefined ? { error: patch.error } : {}),
      ...(patch.finished_at !== undefined ? { finished_at: patch.finished_at } : {}),
    })
    .where('id', '=', job.id)
    .where('status', '=', job.status)
    .returningAll()
    .executeTakeFirst();
  return row ? toJob(row) : undefined;
}

export async function saveResults(db: Db, jobId: string, results: JobResults, now: Date): Promise<void> {
  await db
    .updateTable('ais_jobs')
    .set({ results: JSON.stringify(results), updated_at: now })
    .where('id', '=', jobId)
    .execute();
}

/**
 * Takes the job for one worker until `until`, unless another worker holds a live lease. Unfinished jobs whose
 * lease lapsed (their process died) can be taken again: that is how a job survives a restart.
 */
export async function claimJob(
  db: Db,
  jobId: string,
  worker: string,
  now: Date,
  until: Date,
): Promise<Job | undefined> {
  const row = await db
    .updateTable('ais_jobs')
    .set((eb) => ({
      locked_by: worker,
      locked_until: until,
      attempts: eb('attempts', '+', 1),
      started_at: sql<Date>`coalesce(started_at, ${now})`,
      updated_at: now,
    }))
    .where('id', '=', jobId)
    .where('status', 'not in', ['job_completed', 'job_partially_completed', 'job_failed'])
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', now)]))
    .returningAll()
    .executeTakeFirst();
  return row ? toJob(row) : undefined;
}

export async function extendLease(db: Db, jobId: string, worker: string, until: Date): Promise<boolean> {
  const result = await db
    .updateTable('ais_jobs')
    .set({ locked_until: until })
    .where('id', '=', jobId)
    .where('locked_by', '=', worker)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function releaseJob(db: Db, jobId: string, worker: string): Promise<void> {
  await db
    .updateTable('ais_jobs')
    .set({ locked_by: null, locked_until: null })
    .where('id', '=', jobId)
    .where('locked_by', '=', worker)
    .execute();
}

/**
 * Claims up to `limit` unfinished jobs nobody holds a live lease on, oldest first, for `worker` until `until`
 * (SKIP LOCKED: worker processes claiming at once take different jobs). Unfinished jobs whose lease lapsed (their
 * process died) are claimed again: that is how a job survives a restart. The status list is literal SQL, the
 * predicate of ais_jobs_runnable_idx (migration 0008): as parameters, a generic plan could never use that index.
 */
export async function claimDueJobs(
  db: Db,
  worker: string,
  now: Date,
  until: Date,
  limit: number,
): Promise<Job[]> {
  const result = await sql<JobRow>`
    UPDATE ais_jobs
    SET locked_by = ${worker}, locked_until = ${until}::timestamptz, attempts = attempts + 1,
        started_at = coalesce(started_at, ${now}::timestamptz), updated_at = ${now}::timestamptz
    WHERE id IN (
      SELECT id FROM ais_jobs
      WHERE status NOT IN ('job_completed', 'job_partially_completed', 'job_failed')
        AND (locked_until IS NULL OR locked_until < ${now}::timestamptz)
      ORDER BY created_at
      LIMIT ${limit}
      FOR UPDATE SKIP LOCKED)
    RETURNING *`.execute(db);
  return result.rows.map(toJob).sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
}

/** A consent's refresh jobs, newest first (the operator console). */
export async function listJobsOf(db: Db, consentId: string, limit: number): Promise<Job[]> {
  const rows = await db
    .selectFrom('ais_jobs')
    .selectAll()
    .where('consent_id', '=', consentId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.map(toJob);
}
