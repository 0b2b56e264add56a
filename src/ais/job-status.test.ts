import { describe, expect, it } from 'vitest';
import {
  isFinalJobStatus,
  type JobEvent,
  type JobScope,
  type JobStatus,
  jobEvents,
  jobScopeOf,
  jobStatuses,
  nextJobStatus,
} from './job-status.js';

const full: [JobStatus, JobEvent, JobStatus][] = [
  ['job_started', 'accounts_stored', 'accounts_ready'],
  ['job_started', 'failed', 'job_failed'],
  ['accounts_ready', 'balances_stored', 'balances_ready'],
  ['accounts_ready', 'partially_completed', 'job_partially_completed'],
  ['balances_ready', 'transactions_started', 'transactions_fetching'],
  ['balances_ready', 'partially_completed', 'job_partially_completed'],
  ['transactions_fetching', 'completed', 'job_completed'],
  ['transactions_fetching', 'partially_completed', 'job_partially_completed'],
];

const accountsBalances: [JobStatus, JobEvent, JobStatus][] = [
  ['job_started', 'accounts_stored', 'accounts_ready'],
  ['job_started', 'failed', 'job_failed'],
  ['accounts_ready', 'balances_stored', 'balances_ready'],
  ['accounts_ready', 'partially_completed', 'job_partially_completed'],
  ['balances_ready', 'completed', 'job_completed'],
  ['balances_ready', 'partially_completed', 'job_partially_completed'],
];

describe('job state machine', () => {
  for (const [scope, allowed] of [
    ['full', full],
    ['accounts_balances', accountsBalances],
  ] as [JobScope, typeof full][]) {
    it(`${scope}: answers every (status, event) pair as specified`, () => {
      const table = new Map(allowed.map(([from, event, to]) => [`${from}:${event}`, to]));
      for (const from of jobStatuses) {
        for (const event of jobEvents) {
          expect(nextJobStatus(from, event, scope), `${from} + ${event}`).toBe(table.get(`${from}:${event}`));
        }
      }
    });
  }

  it('job_failed means nothing was stored: only reachable before accounts are stored', () => {
    for (const scope of ['full', 'accounts_balances'] as const) {
      for (const from of jobStatuses) {
        if (from !== 'job_started') expect(nextJobStatus(from, 'failed', scope)).toBeUndefined();
      }
    }
  });

  it('final statuses, and the scope of a consent', () => {
    expect(jobStatuses.filter(isFinalJobStatus)).toEqual([
      'job_completed',
      'job_partially_completed',
      'job_failed',
    ]);
    expect(jobScopeOf(['accounts', 'balances', 'transactions'])).toBe('full');
    expect(jobScopeOf(['accounts', 'balances'])).toBe('accounts_balances');
  });

  it('the accounts+balances scope never passes through transactions_fetching', () => {
    for (const from of jobStatuses) {
      for (const event of jobEvents) {
        expect(nextJobStatus(from, event, 'accounts_balances')).not.toBe('transactions_fetching');
      }
    }
  });
});
