/**
 * The sandbox payment lifecycle. Stored states change on events; once accepted (ACTC) the payment moves on
 * by itself as time passes (ACSP, then ACSC), computed from the acceptance time so tests need no sleeping.
 */
export type StoredPaymentStatus = 'RCVD' | 'ACTC' | 'RJCT' | 'CANC';
export type PaymentStatus = StoredPaymentStatus | 'ACSP' | 'ACSC';
export type PaymentEvent = 'authorised' | 'denied' | 'sca_failed' | 'rejected' | 'cancelled';

export const paymentTransitions: Record<
  StoredPaymentStatus,
  Partial<Record<PaymentEvent, StoredPaymentStatus>>
> = {
  RCVD: { authorised: 'ACTC', denied: 'RJCT', sca_failed: 'RJCT', rejected: 'RJCT', cancelled: 'CANC' },
  ACTC: { cancelled: 'CANC' },
  RJCT: {},
  CANC: {},
};

/** The next stored status, or undefined when the event is not allowed in this state. */
export function nextPaymentStatus(
  from: StoredPaymentStatus,
  event: PaymentEvent,
): StoredPaymentStatus | undefined {
  return paymentTransitions[from][event];
}

export interface SettlementTiming {
  /** After acceptance: settlement in process. */
  acspAfterMs: number;
  /** After acceptance: settled on the creditor side (instant products settle at acspAfterMs). */
  acscAfterMs: number;
}

export const defaultTiming: SettlementTiming = { acspAfterMs: 2_000, acscAfterMs: 5_000 };

export function settlesAfterMs(timing: SettlementTiming, instant: boolean): number {
  return instant ? timing.acspAfterMs : timing.acscAfterMs;
}

/** What the bank reports now for a stored status. */
export function effectivePaymentStatus(
  stored: StoredPaymentStatus,
  acceptedAt: Date | null,
  now: Date,
  timing: SettlementTiming,
  instant: boolean,
): PaymentStatus {
  if (stored !== 'ACTC' || !acceptedAt) return stored;
  const elapsed = now.getTime() - acceptedAt.getTime();
  if (elapsed >= settlesAfterMs(timing, instant)) return 'ACSC';
  if (elapsed >= timing.acspAfterMs) return 'ACSP';
  return 'ACTC';
}

/** A payment can be cancelled until settlement starts. */
export const isCancellable = (status: PaymentStatus): boolean => status === 'RCVD' || status === 'ACTC';
