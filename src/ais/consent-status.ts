/**
 * The AIS consent lifecycle (seed 000/001): created → started → requested → sca_url_retrieved → awaiting_authz →
 * authorized → active, with the end states expired, revoked, failed and suspended. Pure: the table is the rule.
 */
export const consentStatuses = [
  'created',
  'started',
  'requested',
  'sca_url_retrieved',
  'awaiting_authz',
  'authorized',
  'active',
  'expired',
  'revoked',
  'failed',
  'suspended',
] as const;
export type ConsentStatus = (typeof consentStatuses)[number];

export const consentEvents = [
  /** The end user opened the hosted page. */
  'opened',
  /** A bank was chosen (page) or given (direct flows): Ferry asks the bank for a consent. */
  'requested',
  /** The bank created its consent and returned the SCA URL. */
  'sca_url_retrieved',
  /** The end user was sent to the bank's SCA page. */
  'sca_opened',
  /** The end user went back to pick another bank: the flow restarts. */
  'reset',
  /** The bank reports the consent valid. */
  'authorized',
  /** The first job stored the data. */
  'data_stored',
  /** The link passed expires_at before authorisation. */
  'link_expired',
  /** The bank refused the consent or the SCA failed. */
  'authorization_failed',
  /** The API client revoked it (consents/revoke). */
  'revoked_by_client',
  /** The PSU revoked it at the bank, or the bank ended it. */
  'revoked_at_bank',
  /** authorized_until passed. */
  'validity_ended',
  /** The bank reports the consent or the PSU blocked. */
  'suspended_by_bank',
] as const;
export type ConsentEvent = (typeof consentEvents)[number];

const beforeAuthorization = [
  'created',
  'started',
  'requested',
  'sca_url_retrieved',
  'awaiting_authz',
] as const;

type Table = Record<ConsentStatus, Partial<Record<ConsentEvent, ConsentStatus>>>;

const endedAtBank = {
  revoked_by_client: 'revoked',
  revoked_at_bank: 'revoked',
  validity_ended: 'revoked',
  suspended_by_bank: 'suspended',
} as const;

const pending = {
  link_expired: 'expired',
  revoked_by_client: 'revoked',
} as const;

export const consentTransitions: Table = {
  created: { ...pending, opened: 'started', requested: 'requested' },
  started: { ...pending, requested: 'requested' },
  requested: {
    ...pending,
    sca_url_retrieved: 'sca_url_retrieved',
    authorization_failed: 'failed',
    reset: 'started',
  },
  sca_url_retrieved: {
    ...pending,
    sca_opened: 'awaiting_authz',
    // direct_sca / redirect_sca: the user goes to the bank without passing through Ferry's page.
    authorized: 'authorized',
    authorization_failed: 'failed',
    reset: 'started',
  },
  awaiting_authz: { ...pending, authorized: 'authorized', authorization_failed: 'failed', reset: 'started' },
  authorized: { ...endedAtBank, data_stored: 'active', authorization_failed: 'failed' },
  active: { ...endedAtBank },
  expired: {},
  revoked: {},
  failed: {},
  suspended: {},
};

/** The status after `event`, or undefined when the event does not apply in `from`. */
export function nextConsentStatus(from: ConsentStatus, event: ConsentEvent): ConsentStatus | undefined {
  return consentTransitions[from][event];
}

export const isConsentStatus = (value: string): value is ConsentStatus =>
  (consentStatuses as readonly string[]).includes(value);

/** expired, revoked, failed, suspended: nothing more happens to the consent. */
export const isFinalConsentStatus = (status: ConsentStatus): boolean =>
  Object.keys(consentTransitions[status]).length === 0;

/** The authorisation link (the hosted page) still works: the SCA has not completed. */
export const isBeforeAuthorization = (status: ConsentStatus): boolean =>
  (beforeAuthorization as readonly string[]).includes(status);

/** Data endpoints (accounts, balances, transactions, jobs/get) work once the bank authorised the consent. */
export const isDataReadable = (status: ConsentStatus): boolean =>
  status === 'authorized' || status === 'active';
