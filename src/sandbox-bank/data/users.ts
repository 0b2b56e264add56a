import { type BankId, banks } from '../banks.js';
import { roIban } from './iban.js';
import { hashSeed } from './prng.js';

export type AccountProfile = 'personal' | 'savings' | 'corporate' | 'bench';

export interface SandboxAccount {
  bank: BankId;
  /** Stable API id (resourceId), derived from the IBAN. */
  resourceId: string;
  iban: string;
  currency: 'RON' | 'EUR';
  name: string;
  product: string;
  cashAccountType: 'CACC' | 'SVGS';
  usage: 'PRIV' | 'ORGA';
  ownerName: string;
  status: 'enabled' | 'blocked';
  profile: AccountProfile;
  /** First day with generated activity. */
  openedOn: string;
  openingBalanceMinor: number;
  seed: string;
}

export interface SandboxUser {
  bank: BankId;
  /** The PSU-ID the bank knows the user by (PSU ID at rzb_ro, user name elsewhere). */
  psuId: string;
  password: string | undefined;
  pin: string | undefined;
  displayName: string;
  accounts: SandboxAccount[];
}

function account(
  bank: BankId,
  iban: string,
  fields: Omit<SandboxAccount, 'bank' | 'resourceId' | 'iban' | 'seed'>,
): SandboxAccount {
  return {
    bank,
    iban,
    resourceId: `acc-${hashSeed(iban).toString(36)}${iban.slice(-4)}`,
    seed: iban,
    ...fields,
  };
}

const personal = (owner: string) =>
  ({
    currency: 'RON',
    name: 'Cont curent',
    product: 'Cont curent persoane fizice',
    cashAccountType: 'CACC',
    usage: 'PRIV',
    ownerName: owner,
    status: 'enabled',
    profile: 'personal',
    openedOn: '2024-01-01',
    openingBalanceMinor: 420_000,
  }) as const;

const savings = (owner: string) =>
  ({
    currency: 'EUR',
    name: 'Cont de economii EUR',
    product: 'Depozit la vedere EUR',
    cashAccountType: 'SVGS',
    usage: 'PRIV',
    ownerName: owner,
    status: 'enabled',
    profile: 'savings',
    openedOn: '2024-01-01',
    openingBalanceMinor: 250_000,
  }) as const;

/** The seed's test users (shared/seeds/000 "Sandbox testing"), each with 2–4 accounts, plus a benchmark user. */
export const sandboxUsers: SandboxUser[] = [
  {
    bank: 'rzb_ro',
    psuId: '9999999998',
    password: undefined,
    pin: undefined,
    displayName: 'Andrei Ionescu',
    accounts: [
      account('rzb_ro', 'RO03RZBR0000069999999999', personal('Andrei Ionescu')),
      account('rzb_ro', roIban('RZBR', '0000069999999981'), savings('Andrei Ionescu')),
      account('rzb_ro', 'RO10RZBR0000069999999970', {
        ...personal('Ionescu Consulting SRL'),
        name: 'Cont curent firma',
        product: 'Pachet IMM',
        usage: 'ORGA',
        profile: 'corporate',
        openingBalanceMinor: 3_500_000,
      }),
    ],
  },
  {
    bank: 'bt_ro',
    psuId: 'testbt',
    password: 'testbt',
    pin: '1234567',
    displayName: 'Maria Popescu',
    accounts: [
      account('bt_ro', roIban('BTRL', 'RONCRT0000123401'), personal('Maria Popescu')),
      account('bt_ro', roIban('BTRL', 'EURCRT0000123402'), savings('Maria Popescu')),
    ],
  },
  {
    bank: 'cec_ro',
    psuId: 'testcecapi',
    password: 'testcecapi',
    pin: undefined,
    displayName: 'Elena Dumitrescu',
    accounts: [
      account('cec_ro', 'RO42CECEAG0202RON0007466', personal('Elena Dumitrescu')),
      account('cec_ro', roIban('CECE', 'AG0202EUR0007467'), savings('Elena Dumitrescu')),
      account('cec_ro', roIban('CECE', 'AG0202RON0007468'), {
        ...personal('Elena Dumitrescu'),
        name: 'Cont curent (blocat)',
        status: 'blocked',
        openingBalanceMinor: 150_000,
      }),
    ],
  },
  {
    // ≥ 1,000,000 booked transactions a year, generated day by day on demand (never stored).
    bank: 'bt_ro',
    psuId: 'benchbt',
    password: 'benchbt',
    pin: '1234567',
    displayName: 'Bench Retail SRL',
    accounts: [
      account('bt_ro', roIban('BTRL', 'RONCRT0000999901'), {
        ...personal('Bench Retail SRL'),
        name: 'Cont incasari POS',
        usage: 'ORGA',
        profile: 'bench',
        openedOn: '2025-01-01',
        openingBalanceMinor: 10_000_000,
      }),
    ],
  },
];

const byResourceId = new Map<string, SandboxAccount>();
const byIban = new Map<string, SandboxAccount>();
for (const user of sandboxUsers) {
  for (const acc of user.accounts) {
    if (acc.bank !== user.bank || acc.bank !== banks[acc.bank].id)
      throw new Error('sandbox user data mismatch');
    byResourceId.set(acc.resourceId, acc);
    byIban.set(acc.iban, acc);
  }
}

export const findAccountById = (resourceId: string) => byResourceId.get(resourceId);
export const findAccountByIban = (iban: string) => byIban.get(iban);
export const findUser = (bank: BankId, psuId: string) =>
  sandboxUsers.find((u) => u.bank === bank && u.psuId === psuId);
export const ownerOf = (acc: SandboxAccount) =>
  sandboxUsers.find((u) => u.accounts.some((a) => a.resourceId === acc.resourceId))!;
