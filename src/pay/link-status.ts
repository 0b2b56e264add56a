import type { TransactionStatus } from '../connectors/index.js';

/**
 * The payment-link lifecycle: one pure table. Every status change in Ferry goes through `transition`, so the
 * table below is the whole truth about which moves exist.
 */
export const linkStatuses = [
  'created',
  'started',
  'requested',
  'intent_accepted',
  'awaiting_authz',
  'received',
  'submitted',
  'completed',
  'failed',
  'revoked',
  'funds_received',
  'funds_rejected',
] as const;
export type LinkStatus = (typeof linkStatuses)[number];

/** /v1 predates the funds_* statuses (seed 000 changelog): it sees the first ten only. */
export const v1Statuses: readonly LinkStatus[] = linkStatuses.slice(0, 10);

export const linkEvents = [
  'page_opened', // the payer opened the hosted page
  'pay_requested', // the payer pressed Pay (or the API asked for an SCA URL at creation)
  'intent_failed', // the bank call to create the payment failed; the payer may try again
  'intent_accepted', // the bank created the payment and gave an SCA URL
  'sca_started', // the payer was sent to the bank's SCA page
  'bank_received', // RCVD after the payer came back from SCA
  'bank_submitted', // ACTC, ACCP, ACWC, PDNG, ...
  'bank_completed', // ACSP, ACSC, ACCC
  'bank_rejected', // RJCT / CANC not requested by Ferry
  'sca_failed', // SCA denied, failed or never finished in time
  'cancel', // links/cancel
  'funds_received', // the creditor's bank confirmed the credit
  'funds_rejected', // the creditor's bank rejected the credit
] as const;
export type LinkEvent = (typeof linkEvents)[number];

/** `same`: the event is accepted and changes nothing (duplicates, out-of-order bank reports). */
export type Outcome = LinkStatus | 'same';

const bankReports = {
  bank_received: 'received',
  bank_submitted: 'submitted',
  bank_completed: 'completed',
  bank_rejected: 'failed',
  sca_failed: 'failed',
} as const satisfies Partial<Record<LinkEvent, LinkStatus>>;

/**
 * Statuses reachable by each event, per current status. Missing pairs are refused. Bank reports only ever move
 * forward: a late RCVD after ACTC is `same`, never a step back.
 */
export const transitions: Readonly<Record<LinkStatus, Readonly<Partial<Record<LinkEvent, Outcome>>>>> = {
  created: { page_opened: 'started', pay_requested: 'requested', cancel: 'revoked' },
  started: { page_opened: 'same', pay_requested: 'requested', cancel: 'revoked' },
  requested: {
    page_opened: 'same',
    intent_failed: 'started',
    intent_accepted: 'intent_accepted',
    cancel: 'revoked',
  },
  intent_accepted: { page_opened: 'same', sca_started: 'awaiting_authz', ...bankReports, cancel: 'revoked' },
  awaiting_authz: { page_opened: 'same', sca_started: 'same', ...bankReports, cancel: 'revoked' },
  received: {
    page_opened: 'same',
    sca_started: 'same',
    bank_received: 'same',
    bank_submitted: 'submitted',
    bank_completed: 'completed',
    bank_rejected: 'failed',
    sca_failed: 'failed',
    cancel: 'revoked',
  },
  submitted: {
    page_opened: 'same',
    sca_started: 'same',
    bank_received: 'same',
    bank_submitted: 'same',
    bank_completed: 'completed',
    bank_rejected: 'failed',
  },
  completed: {
    page_opened: 'same',
    bank_received: 'same',
    bank_submitted: 'same',
    bank_completed: 'same',
    funds_received: 'funds_received',
    funds_rejected: 'funds_rejected',
  },
  failed: { page_opened: 'same', bank_rejected: 'same', sca_failed: 'same' },
  revoked: { page_opened: 'same', cancel: 'same', bank_rejected: 'same' },
  funds_received: {
    page_opened: 'same',
    bank_received: 'same',
    bank_submitted: 'same',
    bank_completed: 'same',
    funds_received: 'same',
  },
  funds_rejected: {
    page_opened: 'same',
    bank_received: 'same',
    bank_submitted: 'same',
    bank_completed: 'same',
    funds_rejected: 'same',
  },
};

export type TransitionResult = { ok: true; to: LinkStatus; changed: boolean } | { ok: false };

export function transition(from: LinkStatus, event: LinkEvent): TransitionResult {
  const outcome = transitions[from][event];
  if (outcome === undefined) return { ok: false };
  return outcome === 'same'
    ? { ok: true, to: from, changed: false }
    : { ok: true, to: outcome, changed: true };
}

/** Statuses after which nothing but funds confirmation can happen. */
export const finalStatuses: readonly LinkStatus[] = [
  'completed',
  'failed',
  'revoked',
  'funds_received',
  'funds_rejected',
];
export const isFinal = (s: LinkStatus): boolean => finalStatuses.includes(s);

/** The payment has not been handed to a bank yet: only these links expire (`is_expired`). */
export const preBankStatuses: readonly LinkStatus[] = ['created', 'started', 'requested'];

/** Ferry polls the bank for links in these statuses until they are final. */
export const pollingStatuses: readonly LinkStatus[] = [
  'intent_accepted',
  'awaiting_authz',
  'received',
  'submitted',
];

/** links/cancel succeeds while the payment is not yet submitted to the bank for execution. */
export const cancellableStatuses: readonly LinkStatus[] = linkStatuses.filter((s) => {
  const outcome = transitions[s].cancel;
  return outcome !== undefined && outcome !== 'same';
});

/** The event a NextGenPSD2 transaction status reports. */
export function bankEvent(status: TransactionStatus): LinkEvent {
  switch (status) {
    case 'RCVD':
      return 'bank_received';
    case 'ACSP':
    case 'ACSC':
    case 'ACCC':
      return 'bank_completed';
    case 'RJCT':
    case 'CANC':
      return 'bank_rejected';
    default:
      // ACTC, ACCP, ACWC, ACWP, ACFC, PATC, PART, PDNG: accepted, not yet settled.
      return 'bank_submitted';
  }
}

/** What a /v1 caller sees: the funds_* statuses read as `completed` there. */
export function statusForVersion(status: LinkStatus, version: 'v1' | 'v2' | 'test'): LinkStatus {
  if (version === 'v1' && (status === 'funds_received' || status === 'funds_rejected')) return 'completed';
  return status;
}

export const isLinkStatus = (value: string): value is LinkStatus =>
  (linkStatuses as readonly string[]).includes(value);

/** True once a link that never reached the bank is past its expiry (the sweep also stores it). */
export function isExpired(
  link: { is_expired: boolean; status: LinkStatus; expires_at: Date },
  now: Date,
): boolean {
  return (
    link.is_expired || (preBankStatuses.includes(link.status) && now.getTime() >= link.expires_at.getTime())
  );
}
