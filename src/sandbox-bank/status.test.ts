import { describe, expect, it } from 'vitest';
import {
  type ConsentEvent,
  consentTransitions,
  effectiveConsentStatus,
  isFinalConsentStatus,
  nextConsentStatus,
  type SandboxConsentStatus,
} from './consent-status.js';
import {
  effectivePaymentStatus,
  isCancellable,
  nextPaymentStatus,
  type PaymentEvent,
  type StoredPaymentStatus,
} from './payment-status.js';

const paymentStates: StoredPaymentStatus[] = ['RCVD', 'ACTC', 'RJCT', 'CANC'];
const paymentEvents: PaymentEvent[] = ['authorised', 'denied', 'sca_failed', 'rejected', 'cancelled'];
const expectedPayment: Record<StoredPaymentStatus, Partial<Record<PaymentEvent, StoredPaymentStatus>>> = {
  RCVD: { authorised: 'ACTC', denied: 'RJCT', sca_failed: 'RJCT', rejected: 'RJCT', cancelled: 'CANC' },
  ACTC: { cancelled: 'CANC' },
  RJCT: {},
  CANC: {},
};

describe('payment status machine', () => {
  for (const from of paymentStates) {
    for (const event of paymentEvents) {
      it(`${from} + ${event} → ${expectedPayment[from][event] ?? 'refused'}`, () => {
        expect(nextPaymentStatus(from, event)).toBe(expectedPayment[from][event]);
      });
    }
  }

  it('an accepted payment moves on with time: ACTC → ACSP → ACSC (instant settles at ACSP time)', () => {
    const timing = { acspAfterMs: 1_000, acscAfterMs: 5_000 };
    const at = new Date('2026-01-01T00:00:00Z');
    const later = (ms: number) => new Date(at.getTime() + ms);
    expect(effectivePaymentStatus('ACTC', at, later(999), timing, false)).toBe('ACTC');
    expect(effectivePaymentStatus('ACTC', at, later(1_000), timing, false)).toBe('ACSP');
    expect(effectivePaymentStatus('ACTC', at, later(4_999), timing, false)).toBe('ACSP');
    expect(effectivePaymentStatus('ACTC', at, later(5_000), timing, false)).toBe('ACSC');
    expect(effectivePaymentStatus('ACTC', at, later(1_000), timing, true)).toBe('ACSC');
    for (const s of ['RCVD', 'RJCT', 'CANC'] as const)
      expect(effectivePaymentStatus(s, at, later(10_000), timing, false)).toBe(s);
  });

  it('only RCVD and ACTC can be cancelled', () => {
    expect(['RCVD', 'ACTC', 'ACSP', 'ACSC', 'RJCT', 'CANC'].filter((s) => isCancellable(s as never))).toEqual(
      ['RCVD', 'ACTC'],
    );
  });
});

const consentStates = Object.keys(consentTransitions) as SandboxConsentStatus[];
const consentEvents: ConsentEvent[] = [
  'authorised',
  'denied',
  'sca_failed',
  'revoked_by_psu',
  'deleted_by_tpp',
  'expired',
];
const expectedConsent: Record<SandboxConsentStatus, Partial<Record<ConsentEvent, SandboxConsentStatus>>> = {
  received: {
    authorised: 'valid',
    denied: 'rejected',
    sca_failed: 'rejected',
    deleted_by_tpp: 'terminatedByTpp',
    expired: 'expired',
  },
  valid: { revoked_by_psu: 'revokedByPsu', deleted_by_tpp: 'terminatedByTpp', expired: 'expired' },
  rejected: {},
  revokedByPsu: {},
  expired: {},
  terminatedByTpp: {},
};

describe('consent status machine', () => {
  for (const from of consentStates) {
    for (const event of consentEvents) {
      it(`${from} + ${event} → ${expectedConsent[from][event] ?? 'refused'}`, () => {
        expect(nextConsentStatus(from, event)).toBe(expectedConsent[from][event]);
      });
    }
  }

  it('validUntil: valid and received consents expire the day after; final ones stay', () => {
    expect(effectiveConsentStatus('valid', '2026-03-15', '2026-03-15')).toBe('valid');
    expect(effectiveConsentStatus('valid', '2026-03-15', '2026-03-16')).toBe('expired');
    expect(effectiveConsentStatus('received', '2026-03-15', '2026-03-16')).toBe('expired');
    expect(effectiveConsentStatus('revokedByPsu', '2026-03-15', '2026-03-16')).toBe('revokedByPsu');
    expect(consentStates.filter(isFinalConsentStatus)).toEqual([
      'rejected',
      'revokedByPsu',
      'expired',
      'terminatedByTpp',
    ]);
  });
});
