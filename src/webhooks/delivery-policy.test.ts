import { describe, expect, it } from 'vitest';
import { type AttemptResult, decide, replayableFrom, stateAfterAttempt } from './delivery-policy.js';

const policy = { scheduleMs: [1000, 4000, 16000], jitter: 0.5 };
const noJitter = () => 0;

describe('decide', () => {
  it('any 2xx is delivered, at any attempt', () => {
    for (let status = 200; status < 300; status++) {
      for (let n = 1; n <= 5; n++)
        expect(decide({ kind: 'response', status }, n, policy)).toEqual({ outcome: 'delivered' });
    }
  });

  it('410 stops at once, even with retries left', () => {
    expect(decide({ kind: 'response', status: 410 }, 1, policy)).toEqual({ outcome: 'gone' });
  });

  it('a refused target fails without retry', () => {
    expect(decide({ kind: 'refused', error: 'refused: x' }, 1, policy)).toEqual({
      outcome: 'failed',
      reason: 'refused: x',
    });
  });

  const retryable: AttemptResult[] = [
    { kind: 'error', error: 'ECONNREFUSED' },
    { kind: 'error', error: 'timed out after 10000 ms' },
    ...[100, 199, 301, 302, 307, 400, 401, 403, 404, 409, 429, 499, 500, 502, 503, 504, 599].map(
      (status): AttemptResult => ({ kind: 'response', status }),
    ),
  ];

  it('everything else follows the schedule, then gives up', () => {
    for (const result of retryable) {
      expect(decide(result, 1, policy, noJitter)).toEqual({ outcome: 'retry', delayMs: 1000 });
      expect(decide(result, 2, policy, noJitter)).toEqual({ outcome: 'retry', delayMs: 4000 });
      expect(decide(result, 3, policy, noJitter)).toEqual({ outcome: 'retry', delayMs: 16000 });
      expect(decide(result, 4, policy, noJitter)).toMatchObject({ outcome: 'failed' });
    }
  });

  it('jitter only shortens a delay, by at most the configured fraction', () => {
    expect(decide({ kind: 'error', error: 'x' }, 2, policy, () => 0.999999)).toEqual({
      outcome: 'retry',
      delayMs: 2000,
    });
    expect(decide({ kind: 'error', error: 'x' }, 2, policy, () => 0.5)).toEqual({
      outcome: 'retry',
      delayMs: 3000,
    });
    for (let i = 0; i < 200; i++) {
      const d = decide({ kind: 'error', error: 'x' }, 3, policy);
      expect(d.outcome === 'retry' && d.delayMs >= 8000 && d.delayMs <= 16000).toBe(true);
    }
  });

  it('an empty schedule means a single attempt', () => {
    expect(decide({ kind: 'error', error: 'x' }, 1, { scheduleMs: [], jitter: 0 })).toMatchObject({
      outcome: 'failed',
    });
  });
});

describe('state tables', () => {
  it('maps every attempt outcome to an event state', () => {
    expect(stateAfterAttempt).toEqual({
      delivered: 'delivered',
      retry: 'pending',
      gone: 'gone',
      failed: 'failed',
    });
  });
  it('lets every state be replayed', () => {
    expect(Object.values(replayableFrom).every(Boolean)).toBe(true);
  });
});
