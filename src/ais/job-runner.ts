import {
  type BankAccount,
  type BankBalance,
  type BankEndpoint,
  type BankError,
  type BankResult,
  type BankTransaction,
  withBankCallSubject,
} from '../connectors/index.js';
import { type AisDeps, addDays, bankOf, isoDate } from './ais.context.js';
import { normalizeBalances } from './balance-types.js';
import { bankCall, bankErrorCode, bankErrorText, thrownToBankError } from './bank-call.js';
import { bankConsentIdOf } from './bank-consent-id.js';
import { type Consent, findConsent } from './consent.repository.js';
import { reactToBankError } from './consent-bank.js';
import { applyConsentEvent } from './consent-events.js';
import { isDataReadable } from './consent-status.js';
import { type AccountRow, accountsOfJob, insertBalanceSnapshot, upsertAccounts } from './data.repository.js';
import { TransactionIngest } from './ingest.js';
import {
  claimJob,
  countJobs,
  extendLease,
  findJob,
  type Job,
  type JobError,
  releaseJob,
  saveResults,
} from './job.repository.js';
import { applyJobEvent } from './job-events.js';
import type { JobEvent } from './job-status.js';
import { lastBookedDate } from './transactions.repository.js';
import { accountKeyOf } from './utx.js';
import { createUuid7 } from './uuid7.js';

export type RunOutcome = 'finished' | 'busy' | 'missing';

/** Lines asked per bank page (the bank may send fewer): big pages mean fewer round trips on long histories. */
const TRANSACTION_PAGE = 5000;

/** A job that crashed the runner this many times is ended with what it stored. */
const MAX_RUNS = 3;

/** Thrown inside a run when the bank ended or blocked the consent: the job stops with what it has. */
class ConsentEnded extends Error {}

/**
 * Runs one refresh job to its end under a lease (so two workers never run it at once, and a job whose process
 * died is resumed). Each phase is idempotent and starts from the status stored, so a resumed job continues
 * where it stopped: accounts → balances (one snapshot per job) → transactions (upserts on utx_id).
 */
export async function runJob(deps: AisDeps, jobId: string, worker: string): Promise<RunOutcome> {
  const { db, clock, settings } = deps;
  if (!(await findJob(db, jobId))) return 'missing';
  const now = clock.now();
  const claimed = await claimJob(db, jobId, worker, now, new Date(now.getTime() + settings.jobLeaseMs));
  if (!claimed) return 'busy';
  await runClaimedJob(deps, claimed, worker);
  return 'finished';
}

/**
 * Runs a job `worker` has claimed (`ais.jobs` claims them in batches). The lease is short, so that the job of a
 * process that died is resumed soon; a job has no bounded length (a long history is many pages, a slow bank
 * answers late), so while it runs here a heartbeat extends the lease — by the injected clock — every third of it.
 */
export async function runClaimedJob(deps: AisDeps, claimed: Job, worker: string): Promise<void> {
  const { db, clock, settings } = deps;
  const jobId = claimed.id;
  const heartbeat = setInterval(
    () => {
      extendLease(db, jobId, worker, new Date(clock.now().getTime() + settings.jobLeaseMs)).catch(() => {});
    },
    Math.max(1000, Math.floor(settings.jobLeaseMs / 3)),
  );
  heartbeat.unref();
  let crashed = false;
  try {
    // Every bank call of the run (accounts, balances, each transaction page) is the consent's.
    await withBankCallSubject({ kind: 'consent', id: claimed.consentId }, () =>
      new JobRun(deps, claimed).run(),
    );
  } catch (error) {
    crashed = true;
    deps.log('error', 'refresh job crashed', {
      job_id: jobId,
      attempt: claimed.attempts,
      error: String(error),
    });
    if (claimed.attempts >= MAX_RUNS) await abandonJob(deps, jobId, String(error));
  } finally {
    clearInterval(heartbeat);
    // After a crash the lease is left to lapse: the job is retried later, not in a hot loop.
    if (!crashed) await releaseJob(db, jobId, worker).catch(() => {});
  }
}

class JobRun {
  #job: Job;
  #consent!: Consent;
  #bank!: BankEndpoint;
  /** Accounts as listed in this run (with the balances the bank put in the list, if any). */
  #listed = new Map<string, BankAccount>();
  readonly #uuid7: () => string;

  constructor(
    readonly deps: AisDeps,
    job: Job,
  ) {
    this.#job = job;
    this.#uuid7 = createUuid7(() => deps.clock.now().getTime());
  }

  get #results() {
    return this.#job.results;
  }

  async run(): Promise<void> {
    const consent = await findConsent(this.deps.db, this.#job.consentId);
    if (!consent) return;
    this.#consent = consent;
    if (!isDataReadable(consent.status)) {
      this.#error('consent', 'consent_not_active', `The consent is ${consent.status}.`);
      await this.#finish();
      return;
    }
    this.#bank = bankOf(this.deps, consent).bank;
    try {
      const durations = this.#results.durations_ms;
      let started = performance.now();
      const lap = () => {
        const now = performance.now();
        const ms = Math.round(now - started);
        started = now;
        return ms;
      };
      if (this.#job.status === 'job_started') {
        const stored = await this.#accounts(lap);
        if (!stored) return this.#finish();
      }
      const accounts = await accountsOfJob(this.deps.db, consent.id, this.#job.id);
      if (this.#job.status === 'accounts_ready') {
        lap();
        await this.#balances(accounts);
        durations.balances = lap();
        await this.#step('balances_stored');
      }
      if (this.#job.status === 'balances_ready' && consent.scope.includes('transactions')) {
        await this.#step('transactions_started');
      }
      if (this.#job.status === 'transactions_fetching') {
        lap();
        for (const account of accounts) await this.#transactions(account);
        durations.transactions = lap();
      }
    } catch (error) {
      if (!(error instanceof ConsentEnded)) throw error;
    }
    await this.#finish();
  }

  async #accounts(_lap: () => number): Promise<boolean> {
    const result = await bankCall(this.#consent.id, () =>
      this.deps.connector.listAccounts(this.#bank, bankConsentIdOf(this.deps, this.#consent), {
        withBalance: true,
      }),
    );
    if (!result.ok) {
      this.#bankError('accounts', result.error);
      await this.#consentCheck(result.error);
      return false;
    }
    const stored = await upsertAccounts(
      this.deps.db,
      this.deps.ids,
      {
        consentId: this.#consent.id,
        providerId: this.#consent.providerId!,
        jobId: this.#job.id,
        now: this.deps.clock.now(),
      },
      result.value,
    );
    for (const a of result.value) this.#listed.set(a.resourceId, a);
    this.#results.accounts = {
      fetched: result.value.length,
      inserted: stored.inserted,
      updated: stored.updated,
    };
    await this.#step('accounts_stored');
    return true;
  }

  async #balances(accounts: readonly AccountRow[]): Promise<void> {
    for (const account of accounts) {
      let balances: readonly BankBalance[] = this.#listed.get(account.bank_resource_id)?.balances ?? [];
      if (balances.length === 0) {
        const result = await bankCall(this.#consent.id, () =>
          this.deps.connector.getBalances(
            this.#bank,
            bankConsentIdOf(this.deps, this.#consent),
            account.bank_resource_id,
          ),
        );
        if (!result.ok) {
          this.#bankError('balances', result.error, account.id);
          await this.#consentCheck(result.error);
          continue;
        }
        balances = result.value;
      }
      let normalized: ReturnType<typeof normalizeBalances>;
      try {
        normalized = normalizeBalances(balances);
      } catch {
        this.#error('balances', 'no_balances', 'The bank returned no usable balance.', account.id);
        continue;
      }
      this.#results.balances.inserted += await insertBalanceSnapshot(
        this.deps.db,
        this.deps.ids,
        {
          consentId: this.#consent.id,
          accountId: account.id,
          jobId: this.#job.id,
          now: this.deps.clock.now(),
        },
        normalized,
      );
    }
  }

  /** Fetches one account's lines (a shorter period if the bank refuses the first) and stores them. */
  async #transactions(account: AccountRow): Promise<void> {
    const { db, clock, settings } = this.deps;
    const now = clock.now();
    const last = await lastBookedDate(db, account.id);
    const periods = last
      ? [isoDate(addDays(new Date(`${last}T00:00:00Z`), -settings.overlapDays))]
      : settings.historyDays.map((days) => isoDate(addDays(now, -days)));
    const ingest = new TransactionIngest({
      db,
      consentId: this.#consent.id,
      accountId: account.id,
      jobId: this.#job.id,
      providerId: account.provider_id,
      accountKey: accountKeyOf({ iban: account.iban, bankResourceId: account.bank_resource_id }),
      now,
      today: isoDate(now),
      pendingFrom: periods[periods.length - 1]!,
      uuid: this.#uuid7,
      bulk: this.deps.bulk,
    });
    await ingest.start();
    let complete = false;
    let failure: BankError | undefined;
    let counts: Awaited<ReturnType<TransactionIngest['finish']>>;
    try {
      // No retry here: the connector retried each page already. What the job decides is the period: a bank
      // that refuses it (too much history asked) before sending anything is asked for a shorter one.
      for (const dateFrom of periods) {
        const outcome = await this.#listInto(ingest, account, dateFrom);
        if (outcome.ok) {
          complete = true;
          break;
        }
        failure = outcome.error;
        if (!(outcome.pages === 0 && isPeriodRefusal(failure))) break;
      }
      counts = await ingest.finish(complete);
    } catch (error) {
      await ingest.abort(error as Error);
      throw error;
    }
    const t = this.#results.transactions;
    t.inserted += counts.inserted;
    t.updated += counts.updated;
    t.pending_replaced += counts.pendingReplaced;
    t.pending_removed += counts.pendingRemoved;
    if (counts.skipped > 0) {
      this.#error(
        'transactions',
        'invalid_lines',
        `${counts.skipped} lines had no valid amount.`,
        account.id,
      );
    }
    if (!complete && failure) {
      this.#bankError('transactions', failure, account.id);
      await saveResults(db, this.#job.id, this.#results, clock.now());
      await this.#consentCheck(failure);
    } else {
      await saveResults(db, this.#job.id, this.#results, clock.now());
    }
  }

  /** One pass over the bank's pages; the next page is fetched while the current one is written. */
  async #listInto(
    ingest: TransactionIngest,
    account: AccountRow,
    dateFrom: string,
  ): Promise<{ ok: true } | { ok: false; error: BankError; pages: number }> {
    let pages = 0;
    let iterator: AsyncIterator<BankResult<BankTransaction[]>> | undefined;
    try {
      const it = this.deps.connector
        .listTransactions(this.#bank, bankConsentIdOf(this.deps, this.#consent), account.bank_resource_id, {
          dateFrom,
          bookingStatus: 'both',
          pageSize: TRANSACTION_PAGE,
        })
        [Symbol.asyncIterator]();
      iterator = it;
      let next = it.next();
      for (;;) {
        const step = await next;
        if (step.done) return { ok: true };
        const page = step.value;
        if (!page.ok) return { ok: false, error: page.error, pages };
        next = it.next();
        // A rejection of the prefetched page is read on the next turn; do not let it surface unhandled meanwhile.
        next.catch(() => {});
        pages += 1;
        await ingest.add(page.value);
      }
    } catch (error) {
      return { ok: false, error: thrownToBankError(error), pages };
    } finally {
      if (iterator?.return) await iterator.return().catch(() => {});
    }
  }

  async #consentCheck(error: BankError): Promise<void> {
    const ended = await reactToBankError(this.deps, this.#consent, error);
    if (ended) {
      this.#consent = ended;
      this.#error(
        'consent',
        'consent_not_active',
        `The consent is ${ended.status}: ${ended.statusReason ?? ''}`,
      );
      throw new ConsentEnded();
    }
  }

  #bankError(stage: JobError['stage'], error: BankError, accountId?: string): void {
    this.#error(stage, bankErrorCode(error), bankErrorText(error), accountId);
  }

  #error(stage: JobError['stage'], code: string, message: string, accountId?: string): void {
    this.#results.errors.push({ stage, ...(accountId ? { account_id: accountId } : {}), code, message });
  }

  async #step(event: JobEvent): Promise<void> {
    const { db, ids, clock } = this.deps;
    const job = await db
      .transaction()
      .execute((trx) =>
        applyJobEvent(trx, ids, this.#consent, this.#job, event, clock.now(), { results: this.#results }),
      );
    if (!job) throw new Error(`job ${this.#job.id}: ${event} does not apply in ${this.#job.status}`);
    this.#job = { ...job, results: this.#results };
  }

  /**
   * completed when nothing failed, partially_completed when something was stored, failed otherwise. The first
   * job that stores data makes the consent active; a first job that stores nothing is retried by the worker,
   * and after the last try the consent fails.
   */
  async #finish(): Promise<void> {
    const { db, ids, clock, settings } = this.deps;
    const stored = this.#job.status !== 'job_started';
    const event: JobEvent =
      this.#results.errors.length === 0 ? 'completed' : stored ? 'partially_completed' : 'failed';
    const now = clock.now();
    const error =
      this.#results.errors.length > 0
        ? this.#results.errors
            .map((e) => e.message)
            .join('; ')
            .slice(0, 1000)
        : null;
    const initialTries = this.#job.kind === 'initial' ? await countJobs(db, this.#consent.id, 'initial') : 0;
    await db.transaction().execute(async (trx) => {
      const done = await applyJobEvent(trx, ids, this.#consent, this.#job, event, now, {
        results: this.#results,
        error,
      });
      if (!done) return;
      this.#job = done;
      const consent = (await findConsent(trx, this.#consent.id, true))!;
      if (consent.status !== 'authorized') return;
      if (done.status !== 'job_failed') {
        await applyConsentEvent(trx, ids, consent, 'data_stored', now);
      } else if (initialTries >= settings.initialJobAttempts) {
        await applyConsentEvent(trx, ids, consent, 'authorization_failed', now, {
          status_reason:
            `No data could be fetched after ${initialTries} tries: ${error ?? 'unknown error'}`.slice(
              0,
              1000,
            ),
        });
      }
    });
  }
}

function isPeriodRefusal(error: BankError): boolean {
  return error.kind === 'rejected' && error.tppMessages.some((m) => m.code === 'PERIOD_INVALID');
}

/** Ends a job the runner cannot finish: partially completed if it stored something, else failed. */
async function abandonJob(deps: AisDeps, jobId: string, reason: string): Promise<void> {
  const job = await findJob(deps.db, jobId);
  const consent = job && (await findConsent(deps.db, job.consentId));
  if (!job || !consent) return;
  const results = job.results;
  results.errors.push({
    stage: 'consent',
    code: 'internal_error',
    message: 'The job could not be completed.',
  });
  await deps.db
    .transaction()
    .execute((trx) =>
      applyJobEvent(
        trx,
        deps.ids,
        consent,
        job,
        job.status === 'job_started' ? 'failed' : 'partially_completed',
        deps.clock.now(),
        { results, error: `internal error: ${reason}`.slice(0, 500) },
      ),
    );
}
