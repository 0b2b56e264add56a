/** The sandbox consent lifecycle (NextGenPSD2 consentStatus). `expired` also follows from validUntil. */
export type SandboxConsentStatus =
  | 'received'
  | 'valid'
  | 'rejected'
  | 'revokedByPsu'
  | 'expired'
  | 'terminatedByTpp';
export type ConsentEvent =
  | 'authorised'
  | 'denied'
  | 'sca_failed'
  | 'revoked_by_psu'
  | 'deleted_by_tpp'
  | 'expired';

export const consentTransitions: Record<
  SandboxConsentStatus,
  Partial<Record<ConsentEvent, SandboxConsentStatus>>
> = {
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

export function nextConsentStatus(
  from: SandboxConsentStatus,
  event: ConsentEvent,
): SandboxConsentStatus | undefined {
  return consentTransitions[from][event];
}

/** A consent past its validUntil day is expired, whatever its stored status says (unless already final). */
export function effectiveConsentStatus(
  stored: SandboxConsentStatus,
  validUntil: string,
  today: string,
): SandboxConsentStatus {
  if (today > validUntil) return nextConsentStatus(stored, 'expired') ?? stored;
  return stored;
}

export const isFinalConsentStatus = (status: SandboxConsentStatus): boolean =>
  Object.keys(consentTransitions[status]).length === 0;
