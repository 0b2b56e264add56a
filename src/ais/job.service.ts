import type { ApiClient } from '../auth/index.js';
import { ApiError } from '../shared/errors.js';
import type { AisDeps } from './ais.context.js';
import { type Consent, findConsent } from './consent.repository.js';
import { consentNotActive, ownedConsent } from './consent-access.js';
import { isDataReadable } from './consent-status.js';
import { emptyResults, findJob, insertJob, type Job, latestJob } from './job.repository.js';
import { recordJobEvent, wakeJobs } from './job-events.js';
import { isFinalJobStatus } from './job-status.js';

/**
 * jobs/create: only on an active consent, never beside an unfinished job, and not within the cooldown after
 * the previous job started (PSD2's 4 unattended accesses a day → 6 h live; 60 s in test mode).
 */
export async function createRefreshJob(
  deps: AisDeps,
  client: ApiClient,
  consentId: string,
  callbackUrl: string | undefined,
): Promise<Job> {
  const { db, clock, ids, settings } = deps;
  await ownedConsent(deps, client, consentId);
  return db.transaction().execute(async (trx) => {
    // The row lock serialises two jobs/create calls for one consent (the partial unique index backs it up).
    const consent = (await findConsent(trx, consentId, true))!;
    if (consent.status !== 'active') throw consentNotActive(consent, 'refresh jobs need an active consent');
    const now = clock.now();
    const last = await latestJob(trx, consent.id);
    if (last && !isFinalJobStatus(last.status)) {
      throw new ApiError('cooldown_failed', `Job ${last.id} is still running for this consent.`, {
        running_job_id: last.id,
      });
    }
    const cooldownMs = settings.cooldownSeconds[consent.mode] * 1000;
    if (last && now.getTime() - last.createdAt.getTime() < cooldownMs) {
      const next = new Date(last.createdAt.getTime() + cooldownMs);
      const retryAfter = Math.ceil((next.getTime() - now.getTime()) / 1000);
      throw new ApiError(
        'cooldown_failed',
        `The previous refresh started at ${last.createdAt.toISOString()}; the next one is allowed from ${next.toISOString()} (in ${retryAfter} s).`,
        { next_refresh_at: next.toISOString(), retry_after: retryAfter },
      );
    }
    const job = await insertJob(trx, {
      id: ids.uuid(),
      consent_id: consent.id,
      status: 'job_started',
      kind: 'refresh',
      callback_url: callbackUrl ?? null,
      results: JSON.stringify(emptyResults()),
      created_at: now,
      updated_at: now,
    });
    await recordJobEvent(trx, ids, consent, job, now);
    // Any worker process picks the job up at the commit.
    await wakeJobs(trx);
    return job;
  });
}

/** jobs/get: the job of this consent; a consent that ended → consent_not_active. */
export async function getJob(
  deps: AisDeps,
  client: ApiClient,
  consentId: string,
  jobId: string,
): Promise<{ consent: Consent; job: Job }> {
  const consent = await ownedConsent(deps, client, consentId);
  if (!isDataReadable(consent.status)) throw consentNotActive(consent, 'its jobs are no longer available');
  const job = await findJob(deps.db, jobId);
  if (!job || job.consentId !== consent.id) {
    throw new ApiError('job_not_found', `No job ${jobId} for consent ${consent.id}.`, { job_id: jobId });
  }
  return { consent, job };
}
