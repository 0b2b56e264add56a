import { describe, expect, it } from 'vitest';
import {
  type ConsentEvent,
  type ConsentStatus,
  consentEvents,
  consentStatuses,
  isBeforeAuthorization,
  isDataReadable,
  isFinalConsentStatus,
  nextConsentStatus,
} from './consent-status.js';

/** Every allowed transition, written out independently of the implementation's table. */
const allowed: [ConsentStatus, ConsentEvent, ConsentStatus][] = [
  ['created', 'opened', 'started'],
  ['created', 'requested', 'requested'],
  ['created', 'link_expired', 'expired'],
  ['created', 'revoked_by_client', 'revoked'],
  ['started', 'requested', 'requested'],
  ['started', 'link_expired', 'expired'],
  ['started', 'revoked_by_client', 'revoked'],
  ['requested', 'sca_url_retrieved', 'sca_url_retrieved'],
  ['requested', 'authorization_failed', 'failed'],
  ['requested', 'reset', 'started'],
  ['requested', 'link_expired', 'expired'],
  ['requested', 'revoked_by_client', 'revoked'],
  ['sca_url_retrieved', 'sca_opened', 'awaiting_authz'],
  ['sca_url_retrieved', 'authorized', 'authorized'],
  ['sca_url_retrieved', 'authorization_failed', 'failed'],
  ['sca_url_retrieved', 'reset', 'started'],
  ['sca_url_retrieved', 'link_expired', 'expired'],
  ['sca_url_retrieved', 'revoked_by_client', 'revoked'],
  ['awaiting_authz', 'authorized', 'authorized'],
  ['awaiting_authz', 'authorization_failed', 'failed'],
  ['awaiting_authz', 'reset', 'started'],
  ['awaiting_authz', 'link_expired', 'expired'],
  ['awaiting_authz', 'revoked_by_client', 'revoked'],
  ['authorized', 'data_stored', 'active'],
  ['authorized', 'authorization_failed', 'failed'],
  ['authorized', 'revoked_by_client', 'revoked'],
  ['authorized', 'revoked_at_bank', 'revoked'],
  ['authorized', 'validity_ended', 'revoked'],
  ['authorized', 'suspended_by_bank', 'suspended'],
  ['active', 'revoked_by_client', 'revoked'],
  ['active', 'revoked_at_bank', 'revoked'],
  ['active', 'validity_ended', 'revoked'],
  ['active', 'suspended_by_bank', 'suspended'],
];

describe('consent state machine', () => {
  const table = new Map(allowed.map(([from, event, to]) => [`${from}:${event}`, to]));

  it(`answers all ${consentStatuses.length * consentEvents.length} (status, event) pairs as specified`, () => {
    let checked = 0;
    for (const from of consentStatuses) {
      for (const event of consentEvents) {
        expect(nextConsentStatus(from, event), `${from} + ${event}`).toBe(table.get(`${from}:${event}`));
        checked += 1;
      }
    }
    expect(checked).toBe(11 * 13);
  });

  it('expired, revoked, failed and suspended are final', () => {
    expect(consentStatuses.filter(isFinalConsentStatus)).toEqual([
      'expired',
      'revoked',
      'failed',
      'suspended',
    ]);
  });

  it('every status is reachable from created, and every non-final one can end', () => {
    const reach = new Set<ConsentStatus>(['created']);
    for (let grew = true; grew; ) {
      grew = false;
      for (const [from, , to] of allowed) {
        if (reach.has(from) && !reach.has(to)) {
          reach.add(to);
          grew = true;
        }
      }
    }
    expect([...reach].sort()).toEqual([...consentStatuses].sort());
    for (const s of consentStatuses.filter((x) => !isFinalConsentStatus(x))) {
      expect(
        allowed.some(([from, , to]) => from === s && isFinalConsentStatus(to)),
        s,
      ).toBe(true);
    }
  });

  it('active only follows the first stored data; the link expires only before authorisation', () => {
    expect(allowed.filter(([, , to]) => to === 'active')).toEqual([['authorized', 'data_stored', 'active']]);
    expect(
      allowed.filter(([, e]) => e === 'link_expired').every(([from]) => isBeforeAuthorization(from)),
    ).toBe(true);
    expect(consentStatuses.filter(isDataReadable)).toEqual(['authorized', 'active']);
  });
});
