import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeAccount, tx } from '../connectors/test-support/fake-bank.js';
import { type AisTestApp, createAisTestApp } from './test-support/ais-test-app.js';

interface Item {
  transaction_id: string;
  utx_id: string;
  status: string;
  amount: string;
  booking_date: string | null;
  sort_date: string;
  replaced_utx_id: string | null;
  updated_at: string;
  inserted_at: string;
  remittance_information: string;
  keyset: string;
}

function accounts(): FakeAccount[] {
  const lines = Array.from({ length: 30 }, (_, i) =>
    tx({
      id: `B${String(i).padStart(3, '0')}`,
      amount: `-${10 + i}.00`,
      date: `2025-12-${String(1 + (i % 28)).padStart(2, '0')}`,
    }),
  );
  return [
    {
      resourceId: 'acc-main',
      iban: 'RO49AAAA1B31007593840000',
      currency: 'RON',
      balances: [
        {
          balanceType: 'interimAvailable',
          amount: { amount: '10', currency: 'RON' },
          creditLimitIncluded: false,
          referenceDate: undefined,
          lastChangeDateTime: undefined,
        },
      ],
      transactions: [
        ...lines,
        tx({
          id: 'P-LIDL',
          status: 'pending',
          amount: '-42.10',
          date: '2026-01-01',
          creditorName: 'LIDL',
          remittanceInformationUnstructured: 'POS LIDL card 1234',
        }),
        tx({
          id: 'P-SAME',
          status: 'pending',
          amount: '-5.00',
          date: '2026-01-01',
          remittanceInformationUnstructured: 'coffee',
        }),
        tx({
          id: 'P-GONE',
          status: 'pending',
          amount: '-7.00',
          date: '2026-01-01',
          remittanceInformationUnstructured: 'cancelled hold',
        }),
      ],
    },
  ];
}

let t: AisTestApp;
beforeAll(async () => {
  t = await createAisTestApp({ accounts: accounts() });
});
afterAll(async () => {
  await t?.close();
});

async function all(consentId: string, filter: Record<string, unknown> = {}, app = t): Promise<Item[]> {
  const out: Item[] = [];
  let after: string | undefined;
  for (;;) {
    const res = await app.call('/test/ais/transactions/list', {
      consent_id: consentId,
      filter,
      pagination: { limit: 250, ...(after ? { after } : {}) },
    });
    out.push(...(res.body.transactions as Item[]));
    const p = res.body.pagination as { 'more?': boolean; after: string };
    if (!p['more?']) return out;
    after = p.after;
  }
}

async function refresh(consentId: string, app = t): Promise<Record<string, unknown>> {
  app.clock.advance(61_000);
  const job = await app.call('/test/ais/jobs/create', { consent_id: consentId });
  expect(job.status, JSON.stringify(job.body)).toBe(200);
  await app.drain();
  return (await app.call('/test/ais/jobs/get', { consent_id: consentId, job_id: job.body.job_id })).body;
}

describe('utx_id and pending → booked', () => {
  let consentId: string;
  let first: Item[];
  beforeAll(async () => {
    consentId = await t.activeConsent();
    first = await all(consentId);
  });

  it('stores every line once with a utx_id', () => {
    expect(first.length).toBe(33);
    expect(new Set(first.map((i) => i.utx_id)).size).toBe(33);
    expect(first.filter((i) => i.status === 'pending').length).toBe(3);
  });

  it('a refresh with nothing new changes nothing', async () => {
    const job = await refresh(consentId);
    expect((job.results as { transactions: unknown }).transactions).toEqual({
      inserted: 0,
      updated: 0,
      pending_replaced: 0,
      pending_removed: 0,
    });
    const again = await all(consentId);
    expect(again.map((i) => [i.transaction_id, i.utx_id, i.updated_at])).toEqual(
      first.map((i) => [i.transaction_id, i.utx_id, i.updated_at]),
    );
  });

  it('a pending line booked under a new bank id becomes one booked row; a dropped one disappears; a kept id updates in place', async () => {
    const account = t.bank.accounts[0]!;
    const lidl = account.transactions.find((x) => x.transactionId === 'P-LIDL')!;
    account.transactions = account.transactions.filter(
      (x) => x.transactionId !== 'P-LIDL' && x.transactionId !== 'P-GONE',
    );
    // The bank books the LIDL hold under a new id (as most banks do) ...
    account.transactions.push({
      ...lidl,
      transactionId: 'B-LIDL-BOOKED',
      status: 'booked',
      bookingDate: '2026-01-02',
    });
    // ... and the coffee under the same id.
    const coffee = account.transactions.find((x) => x.transactionId === 'P-SAME')!;
    coffee.status = 'booked';
    coffee.bookingDate = '2026-01-02';
    const before = new Map(first.map((i) => [i.remittance_information, i]));
    const job = await refresh(consentId);
    expect((job.results as { transactions: unknown }).transactions).toEqual({
      inserted: 0,
      updated: 1,
      pending_replaced: 1,
      pending_removed: 1,
    });
    const rows = await all(consentId);
    expect(rows.length).toBe(32);
    const booked = rows.filter((r) => r.remittance_information === 'POS LIDL card 1234');
    expect(booked).toHaveLength(1);
    const oldLidl = before.get('POS LIDL card 1234')!;
    expect(booked[0]).toMatchObject({
      transaction_id: oldLidl.transaction_id,
      status: 'booked',
      booking_date: '2026-01-02',
      replaced_utx_id: oldLidl.utx_id,
      inserted_at: oldLidl.inserted_at,
    });
    expect(booked[0]!.utx_id).not.toBe(oldLidl.utx_id);
    expect(new Date(booked[0]!.updated_at).getTime()).toBeGreaterThan(new Date(oldLidl.updated_at).getTime());
    const oldCoffee = before.get('coffee')!;
    const coffeeRow = rows.find((r) => r.remittance_information === 'coffee')!;
    expect(coffeeRow).toMatchObject({
      transaction_id: oldCoffee.transaction_id,
      utx_id: oldCoffee.utx_id,
      status: 'booked',
    });
    expect(rows.some((r) => r.remittance_information === 'cancelled hold')).toBe(false);
    // Change tracking finds exactly the rows that changed.
    const since = new Date(new Date(oldLidl.updated_at).getTime() + 1).toISOString();
    const changed = await all(consentId, { updated_from: since });
    expect(changed.map((r) => r.remittance_information).sort()).toEqual(['POS LIDL card 1234', 'coffee']);
  });

  it('a second consent on the same account gets the same utx_ids', async () => {
    const second = await t.activeConsent();
    const a = (await all(consentId)).map((i) => i.utx_id).sort();
    const b = (await all(second)).map((i) => i.utx_id).sort();
    expect(b).toEqual(a);
    const ids = new Set((await all(consentId)).map((i) => i.transaction_id));
    expect((await all(second)).some((i) => ids.has(i.transaction_id))).toBe(false);
  });
});

describe('a line the bank repeats across pages', () => {
  it('is stored once (COPY on PostgreSQL, upsert on PGlite)', async () => {
    const account = t.bank.accounts[0]!;
    const repeated = tx({ id: 'DUP-1', amount: '-3.30', date: '2025-12-15' });
    account.transactions.push(repeated, { ...repeated });
    t.bank.pageSize = 7;
    try {
      const consentId = await t.activeConsent();
      const rows = await all(consentId);
      expect(rows.filter((r) => r.remittance_information === 'line DUP-1')).toHaveLength(1);
      expect(new Set(rows.map((r) => r.utx_id)).size).toBe(rows.length);
    } finally {
      t.bank.pageSize = 50;
      account.transactions.splice(account.transactions.indexOf(repeated), 2);
    }
  });
});

describe('keyset walk while a job inserts rows', () => {
  // A wide overlap window, so that the refresh mid-walk re-reads the backdated lines the bank adds.
  let wide: AisTestApp;
  beforeAll(async () => {
    wide = await createAisTestApp({ accounts: accounts(), settings: { overlapDays: 60 } });
  });
  afterAll(async () => {
    await wide?.close();
  });

  it('sees every row that existed when the walk began exactly once', async () => {
    const consentId = await wide.activeConsent();
    const before = await all(consentId, {}, wide);
    const seen: Item[] = [];
    let after: string | undefined;
    let pages = 0;
    for (;;) {
      const res = await wide.call('/test/ais/transactions/list', {
        consent_id: consentId,
        pagination: { limit: 4, ...(after ? { after } : {}) },
      });
      seen.push(...(res.body.transactions as Item[]));
      pages += 1;
      if (pages === 2) {
        // Mid-walk, a refresh stores new lines: one newer than the cursor, several older ones, one on its date.
        const account = wide.bank.accounts[0]!;
        const cursorDate = seen.at(-1)!.sort_date;
        account.transactions.push(
          tx({ id: 'NEW-NEWEST', amount: '-1.00', date: '2026-01-02' }),
          tx({ id: 'NEW-OLD-1', amount: '-2.00', date: '2025-12-05' }),
          tx({ id: 'NEW-OLD-2', amount: '-3.00', date: '2025-12-03' }),
          tx({ id: 'NEW-SAME-DAY', amount: '-4.00', date: cursorDate }),
        );
        const job = await refresh(consentId, wide);
        expect((job.results as { transactions: { inserted: number } }).transactions.inserted).toBe(4);
      }
      const p = res.body.pagination as { 'more?': boolean; after: string };
      if (!p['more?']) break;
      after = p.after;
    }
    const counts = new Map<string, number>();
    for (const item of seen) counts.set(item.transaction_id, (counts.get(item.transaction_id) ?? 0) + 1);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    for (const item of before)
      expect(counts.has(item.transaction_id), item.remittance_information).toBe(true);
    const remits = seen.map((s) => s.remittance_information);
    expect(remits).toContain('line NEW-OLD-1');
    expect(remits).toContain('line NEW-OLD-2');
    expect(remits).not.toContain('line NEW-NEWEST');
    // The order held throughout: booking date desc, then id desc.
    for (let i = 1; i < seen.length; i++) {
      const a = seen[i - 1]!;
      const b = seen[i]!;
      expect(
        a.sort_date > b.sort_date || (a.sort_date === b.sort_date && a.transaction_id > b.transaction_id),
      ).toBe(true);
    }
  });
});
