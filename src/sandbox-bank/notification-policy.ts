import type { SandboxAccount } from './data/users.js';

/**
 * Funds notifications: once a payment settles, the creditor's bank credits it or sends it back, and the sandbox
 * tells the payment initiator (Ferry) at `<base>/bank-notifications/<bank>`. This file holds the rules as pure
 * functions: which answer the creditor side gives, how an attempt's response is read, and when to try again.
 */
export type FundsEvent = 'funds_received' | 'funds_rejected';

export interface CreditorAnswer {
  event: FundsEvent;
  reason: string | null;
}

/**
 * The creditor side's answer, fixed when the payment is accepted. A creditor account the sandbox holds that is
 * blocked (the cec_ro user's `RO85CECEAG0202RON0007468`) rejects the credit; any other IBAN, held by a sandbox
 * bank or not, is credited.
 */
export function creditorAnswer(creditor: SandboxAccount | undefined): CreditorAnswer {
  if (creditor?.status === 'blocked')
    return { event: 'funds_rejected', reason: 'The creditor account is blocked (AC06).' };
  return { event: 'funds_received', reason: null };
}

export interface NotifyPolicy {
  /** Delay before the first retry; each further retry waits twice as long as the one before. */
  firstRetryMs: number;
  /** The longest wait between two attempts. */
  maxRetryMs: number;
  /** No further attempt after this many. */
  maxAttempts: number;
  /** No further attempt once this long has passed since the notification was first due. */
  giveUpAfterMs: number;
  /** A claimed row is due again after this long, so a sender that died mid-attempt is retried. */
  leaseMs: number;
}

export const defaultNotifyPolicy: NotifyPolicy = {
  firstRetryMs: 1_000,
  maxRetryMs: 60 * 60_000,
  maxAttempts: 30,
  giveUpAfterMs: 24 * 60 * 60_000,
  leaseMs: 60_000,
};

/** Wait after failed attempt number `attempts` (1-based): 1 s, 2 s, 4 s … capped at maxRetryMs. */
export const retryDelayMs = (attempts: number, policy: NotifyPolicy): number =>
  Math.min(policy.firstRetryMs * 2 ** Math.max(0, attempts - 1), policy.maxRetryMs);

/** What one attempt got back: a response, or no response at all (network error, timeout). */
export type AttemptResult = { status: number; body: string } | { error: string };

export type Verdict =
  | { outcome: 'delivered' }
  /** The receiver answered for good that the notification does not apply: no retry can change that. */
  | { outcome: 'refused'; reason: string }
  | { outcome: 'retry'; reason: string };

const codeOf = (body: string): { code?: unknown; payment_id?: unknown; message?: unknown } => {
  try {
    const parsed = JSON.parse(body) as unknown;
    return typeof parsed === 'object' && parsed !== null ? parsed : {};
  } catch {
    return {};
  }
};

/**
 * Reads Ferry's answer. 2xx: delivered. A 404 that names this payment (Ferry knows no such payment) or an
 * `unprocessable_entity` error (the link is in a status the event does not apply to, e.g. already
 * funds_received after a retry) ends it too. Anything else (a bad signature, a 404 from a wrong URL, 5xx, no
 * answer) may be transient: retried.
 */
export function readAttempt(result: AttemptResult, paymentId: string): Verdict {
  if ('error' in result) return { outcome: 'retry', reason: result.error };
  const { status } = result;
  if (status >= 200 && status < 300) return { outcome: 'delivered' };
  const body = codeOf(result.body);
  const message = typeof body.message === 'string' ? `: ${body.message}` : '';
  if (status === 404 && body.code === 'not_found' && body.payment_id === paymentId)
    return { outcome: 'refused', reason: `unknown payment${message}` };
  if (status >= 400 && status < 500 && body.code === 'unprocessable_entity')
    return { outcome: 'refused', reason: `not applicable${message}` };
  return { outcome: 'retry', reason: `HTTP ${status}${message}` };
}

export type NextStep =
  | { outcome: 'delivered' | 'refused' | 'gave_up'; error: string | null }
  | { outcome: null; dueAt: Date; error: string };

/** After attempt number `attempts` (1-based): finished, or due again after the backoff. */
export function nextStep(
  verdict: Verdict,
  attempts: number,
  firstDueAt: Date,
  now: Date,
  policy: NotifyPolicy,
): NextStep {
  if (verdict.outcome === 'delivered') return { outcome: 'delivered', error: null };
  if (verdict.outcome === 'refused') return { outcome: 'refused', error: verdict.reason };
  const dueAt = new Date(now.getTime() + retryDelayMs(attempts, policy));
  const expired = dueAt.getTime() - firstDueAt.getTime() > policy.giveUpAfterMs;
  if (attempts >= policy.maxAttempts || expired)
    return { outcome: 'gave_up', error: `${verdict.reason} (gave up after ${attempts} attempts)` };
  return { outcome: null, dueAt, error: verdict.reason };
}
