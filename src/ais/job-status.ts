/**
 * The refresh job lifecycle (seed 001 "Jobs"): job_started → accounts_ready → balances_ready →
 * transactions_fetching → job_completed | job_partially_completed | job_failed. With the accounts+balances scope
 * the job goes balances_ready → job_completed. Pure: the table is the rule.
 */
export const jobStatuses = [
  'job_started',
  'accounts_ready',
  'balances_ready',
  'transactions_fetching',
  'job_completed',
  'job_partially_completed',
  'job_failed',
] as const;
export type JobStatus = (typeof jobStatuses)[number];

export const jobEvents = [
  'accounts_stored',
  'balances_stored',
  'transactions_started',
  /** Everything the scope asks for was stored. */
  'completed',
  /** Some data was stored, some could not be fetched. */
  'partially_completed',
  /** Nothing was stored. */
  'failed',
] as const;
export type JobEvent = (typeof jobEvents)[number];

export type JobScope = 'full' | 'accounts_balances';

type Table = Record<JobStatus, Partial<Record<JobEvent, JobStatus>>>;

const full: Table = {
  job_started: { accounts_stored: 'accounts_ready', failed: 'job_failed' },
  accounts_ready: { balances_stored: 'balances_ready', partially_completed: 'job_partially_completed' },
  balances_ready: {
    transactions_started: 'transactions_fetching',
    partially_completed: 'job_partially_completed',
  },
  transactions_fetching: { completed: 'job_completed', partially_completed: 'job_partially_completed' },
  job_completed: {},
  job_partially_completed: {},
  job_failed: {},
};

const accountsBalances: Table = {
  ...full,
  balances_ready: { completed: 'job_completed', partially_completed: 'job_partially_completed' },
  transactions_fetching: {},
};

export const jobTransitions: Readonly<Record<JobScope, Table>> = {
  full,
  accounts_balances: accountsBalances,
};

export function nextJobStatus(from: JobStatus, event: JobEvent, scope: JobScope): JobStatus | undefined {
  return jobTransitions[scope][from][event];
}

export const isJobStatus = (value: string): value is JobStatus =>
  (jobStatuses as readonly string[]).includes(value);

export const isFinalJobStatus = (status: JobStatus): boolean =>
  status === 'job_completed' || status === 'job_partially_completed' || status === 'job_failed';

export const jobScopeOf = (scope: readonly string[]): JobScope =>
  scope.includes('transactions') ? 'full' : 'accounts_balances';
