/** The three simulated banks: what each accepts and how its SCA pages look and sign the user in. */
export const bankIds = ['rzb_ro', 'bt_ro', 'cec_ro'] as const;
export type BankId = (typeof bankIds)[number];

export type LoginKind = 'psu-id' | 'user-password-pin' | 'user-password-iban';

export interface BankProfile {
  id: BankId;
  name: string;
  bic: string;
  bankCode: string;
  /** Payment products served under /v1/payments/{product}. */
  products: readonly string[];
  /** Products that settle at once (instant schemes). */
  instantProducts: readonly string[];
  login: LoginKind;
  /** CEC wants every request signed with a QSealC (TPP-Signature-Certificate, Digest, Signature). */
  requiresSignature: boolean;
  theme: { primary: string; accent: string; background: string; text: string; logoText: string };
}

const sepa = [
  'sepa-credit-transfers',
  'instant-sepa-credit-transfers',
  'cross-border-credit-transfers',
] as const;

export const banks: Record<BankId, BankProfile> = {
  rzb_ro: {
    id: 'rzb_ro',
    name: 'Raiffeisen Bank (sandbox)',
    bic: 'RZBRROBU',
    bankCode: 'RZBR',
    products: [...sepa, 'domestic'],
    instantProducts: ['instant-sepa-credit-transfers'],
    login: 'psu-id',
    requiresSignature: false,
    theme: {
      primary: '#2b2b2b',
      accent: '#fee600',
      background: '#f6f6f2',
      text: '#1d1d1b',
      logoText: 'Raiffeisen',
    },
  },
  bt_ro: {
    id: 'bt_ro',
    name: 'Banca Transilvania (sandbox)',
    bic: 'BTRLRO22',
    bankCode: 'BTRL',
    products: [...sepa, 'ron-payment', 'other-currency-payment'],
    instantProducts: ['instant-sepa-credit-transfers'],
    login: 'user-password-pin',
    requiresSignature: false,
    theme: { primary: '#003f7d', accent: '#fcb813', background: '#eef3f9', text: '#0b1f33', logoText: 'BT' },
  },
  cec_ro: {
    id: 'cec_ro',
    name: 'CEC Bank (sandbox)',
    bic: 'CECEROBU',
    bankCode: 'CECE',
    products: [...sepa],
    instantProducts: ['instant-sepa-credit-transfers'],
    login: 'user-password-iban',
    requiresSignature: true,
    theme: {
      primary: '#00573f',
      accent: '#c8a24a',
      background: '#f2f6f4',
      text: '#10291f',
      logoText: 'CEC Bank',
    },
  },
};

export function isBankId(value: string): value is BankId {
  return (bankIds as readonly string[]).includes(value);
}

/** Products the connector may name that the official spec's enum lacks (the documented deviations). */
export const romanianProducts = ['domestic', 'ron-payment', 'other-currency-payment'] as const;
