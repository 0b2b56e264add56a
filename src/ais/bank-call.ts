import type { BankError, BankResult } from '../connectors/index.js';

export interface RetryPolicy {
  /** Tries in all, the first included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A Retry-After longer than this is not waited for inside a job: the call fails with the bank's error. */
  maxRetryAfterMs: number;
  sleep(ms: number): Promise<void>;
}

export const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Converts a thrown exception into the connector's error value (a connector should not throw; be safe). */
export function thrownToBankError(error: unknown): BankError {
  return {
    kind: 'unavailable',
    httpStatus: undefined,
    retryable: true,
    retryAfterSeconds: undefined,
    tppMessages: [],
    message: error instanceof Error ? error.message : String(error),
  };
}

/** How long to wait before the next try, or undefined when the error is not worth retrying. */
export function retryDelay(policy: RetryPolicy, error: BankError, attempt: number): number | undefined {
  if (!error.retryable || attempt >= policy.attempts) return undefined;
  if (error.retryAfterSeconds !== undefined) {
    const ms = error.retryAfterSeconds * 1000;
    return ms > policy.maxRetryAfterMs ? undefined : ms;
  }
  return Math.min(policy.baseDelayMs * 2 ** (attempt - 1), policy.maxDelayMs);
}

/** Retries 429 (Retry-After), 5xx and timeouts — whatever the connector marks retryable. */
export async function withRetry<T>(
  policy: RetryPolicy,
  call: () => Promise<BankResult<T>>,
): Promise<BankResult<T>> {
  for (let attempt = 1; ; attempt++) {
    let result: BankResult<T>;
    try {
      result = await call();
    } catch (error) {
      result = { ok: false, error: thrownToBankError(error) };
    }
    if (result.ok) return result;
    const delay = retryDelay(policy, result.error, attempt);
    if (delay === undefined) return result;
    await policy.sleep(delay);
  }
}

export type ConsentSignal = 'suspended' | 'check_status';

/** What a bank error says about the consent itself: blocked (suspend), or possibly ended (ask the bank). */
export function consentSignal(error: BankError): ConsentSignal | undefined {
  const codes = new Set(error.tppMessages.map((m) => m.code));
  if (codes.has('SERVICE_BLOCKED')) return 'suspended';
  if (
    error.kind === 'unauthorized' ||
    codes.has('CONSENT_INVALID') ||
    codes.has('CONSENT_EXPIRED') ||
    codes.has('CONSENT_UNKNOWN')
  ) {
    return 'check_status';
  }
  return undefined;
}

export function bankErrorCode(error: BankError): string {
  return error.tppMessages.find((m) => m.category === 'ERROR')?.code ?? error.kind;
}

export function bankErrorText(error: BankError): string {
  const tpp = error.tppMessages.find((m) => m.category === 'ERROR');
  const detail = tpp?.text ?? error.message;
  return `${error.httpStatus ? `HTTP ${error.httpStatus}` : error.kind}${tpp ? ` ${tpp.code}` : ''}: ${detail}`.slice(
    0,
    500,
  );
}
