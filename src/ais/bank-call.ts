import { type BankError, type BankResult, withBankCallSubject } from '../connectors/index.js';

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

/**
 * One call to the bank for a consent (the bank call log attributes it), as the connector answers it. No retry here: the connector alone retries transport
 * failures (GETs on 5xx, 408, 429 with a short Retry-After, timeouts), a bounded number of times; what it
 * returns is final for the caller, which decides only what the failure means (retries in one layer).
 */
export async function bankCall<T>(
  consentId: string,
  call: () => Promise<BankResult<T>>,
): Promise<BankResult<T>> {
  try {
    return await withBankCallSubject({ kind: 'consent', id: consentId }, call);
  } catch (error) {
    return { ok: false, error: thrownToBankError(error) };
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
