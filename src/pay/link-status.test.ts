import { describe, expect, it } from 'vitest';
import type { TransactionStatus } from '../connectors/index.js';
import {
  bankEvent,
  cancellableStatuses,
  finalStatuses,
  isFinal,
  type LinkEvent,
  type LinkStatus,
  linkEvents,
  linkStatuses,
  statusForVersion,
  transition,
  v1Statuses,
} from './link-status.js';

/**
 * The expected outcome of every (status, event) pair, written independently of the implementation's table:
 * '-' refused, '=' accepted without change, otherwise the new status. Columns follow `linkEvents`.
 */
const columns: LinkEvent[] = [
  'page_opened',
  'pay_requested',
  'intent_failed',
  'intent_accepted',
  'sca_started',
  'bank_received',
  'bank_submitted',
  'bank_completed',
  'bank_rejected',
  'sca_failed',
  'cancel',
  'funds_received',
  'funds_rejected',
];
const expected: Record<LinkStatus, string> = {
  created: 'started requested - - - - - - - - revoked - -',
  started: '= requested - - - - - - - - revoked - -',
  requested: '= - started intent_accepted - - - - - - revoked - -',
  intent_accepted: '= - - - awaiting_authz received submitted completed failed failed revoked - -',
  awaiting_authz: '= - - - = received submitted completed failed failed revoked - -',
  received: '= - - - = = submitted completed failed failed revoked - -',
  submitted: '= - - - = = = completed failed - - - -',
  completed: '= - - - - = = = - - - funds_received funds_rejected',
  failed: '= - - - - - - - = = - - -',
  revoked: '= - - - - - - - = - = - -',
  funds_received: '= - - - - = = = - - - = -',
  funds_rejected: '= - - - - = = = - - - - =',
};

describe('link status machine', () => {
  it('lists every event in the expected columns', () => {
    expect([...linkEvents].sort()).toEqual([...columns].sort());
  });

  const pairs = linkStatuses.flatMap((status) =>
    columns.map((event, i) => [status, event, expected[status].split(' ')[i]!] as const),
  );
  it(`covers all ${linkStatuses.length} × ${columns.length} pairs`, () => {
    expect(pairs).toHaveLength(linkStatuses.length * linkEvents.length);
  });

  it.each(pairs)('%s + %s → %s', (status, event, outcome) => {
    const result = transition(status, event);
    if (outcome === '-') {
      expect(result).toEqual({ ok: false });
    } else if (outcome === '=') {
      expect(result).toEqual({ ok: true, to: status, changed: false });
    } else {
      expect(result).toEqual({ ok: true, to: outcome, changed: true });
    }
  });

  it('never leaves a final status except to confirm funds', () => {
    for (const from of finalStatuses) {
      for (const event of linkEvents) {
        const r = transition(from, event);
        if (r.ok && r.changed) {
          expect(from).toBe('completed');
          expect(['funds_received', 'funds_rejected']).toContain(r.to);
        }
      }
    }
  });

  it('bank reports never move a link backwards along the lifecycle', () => {
    const rank = (s: LinkStatus) => linkStatuses.indexOf(s);
    const bankEvents: LinkEvent[] = ['bank_received', 'bank_submitted', 'bank_completed'];
    for (const from of linkStatuses) {
      for (const e of bankEvents) {
        const r = transition(from, e);
        if (r.ok && r.changed) expect(rank(r.to)).toBeGreaterThan(rank(from));
      }
    }
  });

  it('every status is reachable from created', () => {
    const seen = new Set<LinkStatus>(['created']);
    let frontier: LinkStatus[] = ['created'];
    while (frontier.length > 0) {
      const next: LinkStatus[] = [];
      for (const s of frontier) {
        for (const e of linkEvents) {
          const r = transition(s, e);
          if (r.ok && !seen.has(r.to)) {
            seen.add(r.to);
            next.push(r.to);
          }
        }
      }
      frontier = next;
    }
    expect([...seen].sort()).toEqual([...linkStatuses].sort());
  });

  it('cancel works until the payment is submitted for execution', () => {
    expect([...cancellableStatuses]).toEqual([
      'created',
      'started',
      'requested',
      'intent_accepted',
      'awaiting_authz',
      'received',
    ]);
  });

  it('maps every NextGenPSD2 transaction status to an event', () => {
    const map: Record<TransactionStatus, LinkEvent> = {
      RCVD: 'bank_received',
      ACTC: 'bank_submitted',
      ACCP: 'bank_submitted',
      ACWC: 'bank_submitted',
      ACWP: 'bank_submitted',
      ACFC: 'bank_submitted',
      PATC: 'bank_submitted',
      PART: 'bank_submitted',
      PDNG: 'bank_submitted',
      ACSP: 'bank_completed',
      ACSC: 'bank_completed',
      ACCC: 'bank_completed',
      RJCT: 'bank_rejected',
      CANC: 'bank_rejected',
    };
    for (const [status, event] of Object.entries(map))
      expect(bankEvent(status as TransactionStatus)).toBe(event);
  });

  it('/v1 sees the first ten statuses; funds_* read as completed there', () => {
    expect(v1Statuses).toEqual(linkStatuses.slice(0, 10));
    expect(v1Statuses).not.toContain('funds_received');
    for (const s of linkStatuses) {
      const v1 = statusForVersion(s, 'v1');
      expect(v1Statuses).toContain(v1);
      expect(statusForVersion(s, 'v2')).toBe(s);
      expect(statusForVersion(s, 'test')).toBe(s);
    }
    expect(statusForVersion('funds_rejected', 'v1')).toBe('completed');
  });

  it('final statuses', () => {
    expect(linkStatuses.filter(isFinal)).toEqual([
      'completed',
      'failed',
      'revoked',
      'funds_received',
      'funds_rejected',
    ]);
  });
});
