import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tx } from '../connectors/test-support/fake-bank.js';
import { type AisTestApp, createAisTestApp, eventsOf } from './test-support/ais-test-app.js';

let t: AisTestApp;
beforeAll(async () => {
  t = await createAisTestApp();
});
afterAll(async () => {
  await t?.close();
});

describe('the page flow to an active consent', () => {
  it('walks created → started → requested → sca_url_retrieved → awaiting_authz → authorized → active', async () => {
    const { consentId, webId } = await t.createConsent();
    await t.authorize(webId);
    const before = await t.call('/test/ais/consents/get', { consent_id: consentId });
    expect(before.body.status).toBe('authorized');
    expect(
      new Date(before.body.authorized_until as string).getTime() -
        new Date(before.body.authorized_at as string).getTime(),
    ).toBe(90 * 86_400_000);
    await t.drain();
    const events = await eventsOf(t, consentId);
    expect(events.map((e) => e.status)).toEqual([
      'started',
      'requested',
      'sca_url_retrieved',
      'awaiting_authz',
      'authorized',
      'active',
    ]);
    const got = await t.call('/test/ais/consents/get', { consent_id: consentId });
    expect(got.body.status).toBe('active');
    expect((got.body.accounts as unknown[]).length).toBe(2);
    // The bank consent asked for what the scope says, until the validity end.
    const request = t.bank.calls.find((c) => c.op === 'createConsent')!.args[0] as Record<string, unknown>;
    expect(request.access).toEqual({ kind: 'allAccounts', withBalances: true, withTransactions: true });
    expect(request.validUntil).toBe('2026-04-02');
    expect(request.redirectUri).toBe(`http://ferry.test/consent/${webId}/callback`);
    // Every bank call of the flow and of the first job is logged as this consent's (the operator console).
    await t.services.bankCalls.flush();
    const logged = await t.services.bankCalls.of(consentId);
    const ops = new Set(logged.map((c) => c.operation));
    for (const op of ['createConsent', 'getConsentStatus', 'listAccounts', 'listTransactions']) {
      expect(ops.has(op), op).toBe(true);
    }
    expect(logged.length).toBe(t.bank.calls.length);
    expect(logged.every((c) => c.subject_kind === 'consent' && c.outcome === 'ok')).toBe(true);
  });

  it('the first job emits job_status_update through every stage', async () => {
    const consentId = await t.activeConsent();
    const job = await t.store.db
      .selectFrom('ais_jobs')
      .selectAll()
      .where('consent_id', '=', consentId)
      .executeTakeFirstOrThrow();
    const events = await eventsOf(t, job.id);
    expect(events.map((e) => e.status)).toEqual([
      'job_started',
      'accounts_ready',
      'balances_ready',
      'transactions_fetching',
      'job_completed',
    ]);
    expect(events[0]).toMatchObject({ type: 'job_status_update', consent_id: consentId, job_id: job.id });
  });

  it('accounts+balances scope: balances_ready → job_completed, no transaction call', async () => {
    const calls = t.bank.calls.length;
    const consentId = await t.activeConsent({ consent: { scope: ['accounts', 'balances'] } });
    const job = await t.store.db
      .selectFrom('ais_jobs')
      .select('id')
      .where('consent_id', '=', consentId)
      .executeTakeFirstOrThrow();
    expect((await eventsOf(t, job.id)).map((e) => e.status)).toEqual([
      'job_started',
      'accounts_ready',
      'balances_ready',
      'job_completed',
    ]);
    expect(t.bank.calls.slice(calls).some((c) => c.op === 'listTransactions')).toBe(false);
    const list = await t.call('/test/ais/transactions/list', { consent_id: consentId });
    expect(list.body.transactions).toEqual([]);
  });
});

describe('accounts/list and balances/list', () => {
  let consentId: string;
  beforeAll(async () => {
    consentId = await t.activeConsent();
  });

  it('lists accounts with their latest balances; positive amounts with an indicator; available always present', async () => {
    const res = await t.call('/test/ais/accounts/list', { consent_id: consentId });
    expect(res.status).toBe(200);
    const accounts = res.body.accounts as Record<string, unknown>[];
    expect(accounts.map((a) => a.iban)).toEqual(['RO49AAAA1B31007593840000', 'RO49AAAA1B31007593840001']);
    const ron = accounts[0]!;
    expect(ron).toMatchObject({
      currency: 'RON',
      account_type: 'Personal current account',
      account_sub_type: 'CurrentAccount',
    });
    const balances = ron.balances as Record<string, unknown>[];
    const byType = Object.fromEntries(balances.map((b) => [b.type, b]));
    expect(Object.keys(byType).sort()).toEqual([
      'available',
      'closing',
      'closing_booked',
      'expected',
      'interim_available',
    ]);
    expect(byType.available).toMatchObject({ amount: '1450.00', credit_debit_indicator: 'credit' });
    expect(byType.expected).toMatchObject({ amount: '10.00', credit_debit_indicator: 'debit' });
    expect(byType.closing).toMatchObject({ amount: '1500.25' });
    const eur = accounts[1]!.balances as Record<string, unknown>[];
    expect(eur.map((b) => b.type).sort()).toEqual(['available', 'closing', 'closing_booked']);
  });

  it('filters accounts by currency and type', async () => {
    const eur = await t.call('/test/ais/accounts/list', {
      consent_id: consentId,
      filter: { currency: 'EUR' },
    });
    expect((eur.body.accounts as unknown[]).length).toBe(1);
    const savings = await t.call('/test/ais/accounts/list', {
      consent_id: consentId,
      filter: { account_type: 'Savings account' },
    });
    expect((savings.body.accounts as { currency: string }[])[0]!.currency).toBe('EUR');
    const bad = await t.call('/test/ais/accounts/list', {
      consent_id: consentId,
      filter: { currency: 'eur' },
    });
    expect(bad.body.code).toBe('validation_error');
  });

  it('balance history: one snapshot per job, newest first, keyset pages', async () => {
    t.clock.advance(61_000);
    t.bank.accounts[0]!.balances[1]!.amount.amount = '1300.00';
    const job = await t.call('/test/ais/jobs/create', { consent_id: consentId });
    expect(job.body.status).toBe('job_started');
    await t.drain();
    const all = await t.call('/test/ais/balances/list', {
      consent_id: consentId,
      filter: { type: 'available' },
    });
    const items = all.body.balances as Record<string, unknown>[];
    expect(items.length).toBe(4);
    // Newest snapshot first: both accounts of the second job, then the first job's.
    expect(items.slice(0, 2).map((b) => b.job_id)).toEqual([job.body.job_id, job.body.job_id]);
    expect(items.slice(0, 2).map((b) => b.amount)).toContain('1300.00');
    expect(items.slice(2).map((b) => b.amount)).toContain('1450.00');
    const ron = (
      await t.call('/test/ais/accounts/list', { consent_id: consentId, filter: { currency: 'RON' } })
    ).body.accounts as { account_id: string; balances: { type: string; amount: string }[] }[];
    expect(ron[0]!.balances.find((b) => b.type === 'available')!.amount).toBe('1300.00');
    const pageOne = await t.call('/test/ais/balances/list', {
      consent_id: consentId,
      pagination: { limit: 3 },
    });
    expect(pageOne.body.pagination).toMatchObject({ count: 3, 'more?': true });
    const seen = new Set((pageOne.body.balances as { balance_id: string }[]).map((b) => b.balance_id));
    let after = (pageOne.body.pagination as { after: string }).after;
    for (;;) {
      const next = await t.call('/test/ais/balances/list', {
        consent_id: consentId,
        pagination: { limit: 3, after },
      });
      for (const b of next.body.balances as { balance_id: string }[]) {
        expect(seen.has(b.balance_id)).toBe(false);
        seen.add(b.balance_id);
      }
      const p = next.body.pagination as { 'more?': boolean; after: string };
      if (!p['more?']) break;
      after = p.after;
    }
    expect(seen.size).toBe(16);
    const byAccount = await t.call('/test/ais/balances/list', {
      consent_id: consentId,
      filter: { account_id: ron[0]!.account_id, currency: 'RON' },
    });
    expect((byAccount.body.balances as unknown[]).length).toBe(10);
  });
});

describe('transactions/list', () => {
  let consentId: string;
  beforeAll(async () => {
    consentId = await t.activeConsent();
  });
  const list = (body: Record<string, unknown>) =>
    t.call('/test/ais/transactions/list', { consent_id: consentId, ...body });
  const ids = (res: { body: Record<string, unknown> }) =>
    (res.body.transactions as { remittance_information: string }[]).map((x) => x.remittance_information);

  it('orders by booking date desc then id; amounts positive with an indicator; utx_id present', async () => {
    const res = await list({});
    expect(res.status).toBe(200);
    const items = res.body.transactions as Record<string, unknown>[];
    expect(items.map((x) => x.sort_date)).toEqual([
      '2025-12-31',
      '2025-12-28',
      '2025-12-20',
      '2025-12-10',
      '2025-11-30',
    ]);
    expect(items[0]).toMatchObject({
      status: 'pending',
      amount: '42.10',
      credit_debit_indicator: 'debit',
      booking_date: null,
    });
    expect(items[1]).toMatchObject({
      status: 'booked',
      amount: '120.00',
      credit_debit_indicator: 'debit',
      booking_date: '2025-12-28',
    });
    expect(items[3]).toMatchObject({
      amount: '3500.00',
      credit_debit_indicator: 'credit',
      counterparty_name: 'EMPLOYER SA',
    });
    for (const item of items) expect(item.utx_id).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(res.body.pagination).toEqual({ count: 5, 'more?': false, after: null, limit: 50 });
  });

  it.each([
    [{ status: 'booked' }, ['line T3', 'line T1', 'line T2', 'line E1']],
    [{ status: 'pending' }, ['POS KAUFLAND card 1234']],
    [{ credit_debit_indicator: 'credit' }, ['line T2', 'line E1']],
    [{ currency: 'EUR' }, ['line E1']],
    [{ gt: '100' }, ['line T3', 'line T2']],
    [{ gte: 120 }, ['line T3', 'line T2']],
    [{ lt: '42.10' }, ['line T1']],
    [{ lte: '42.1' }, ['POS KAUFLAND card 1234', 'line T1']],
    [{ eq: '25.5' }, ['line T1']],
    [{ amount_min: '40', amount_max: '130' }, ['POS KAUFLAND card 1234', 'line T3', 'line E1']],
    [{ booking_date_from: '2025-12-10', booking_date_to: '2025-12-20' }, ['line T1', 'line T2']],
    [{ booking_date_gte: '2025-12-20T00:00:00Z', booking_date_lt: '2025-12-29' }, ['line T3', 'line T1']],
    [{ booking_date_gt: '2025-12-20T10:00:00Z' }, ['POS KAUFLAND card 1234', 'line T3']],
    [{ booking_date_lte: '2025-12-10T23:00:00Z' }, ['line T2', 'line E1']],
    [{ booking_date_eq: '2025-12-28' }, ['line T3']],
  ])('filter %j', async (filter, expected) => {
    const res = await list({ filter });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(ids(res)).toEqual(expected);
  });

  it('filters by account and by change time (updated_from/updated_to)', async () => {
    const accounts = (await t.call('/test/ais/accounts/list', { consent_id: consentId })).body.accounts as {
      account_id: string;
    }[];
    const eur = await list({ filter: { account_id: accounts[1]!.account_id } });
    expect(ids(eur)).toEqual(['line E1']);
    const future = await list({ filter: { updated_from: '2030-01-01T00:00:00Z' } });
    expect(future.body.transactions).toEqual([]);
    const past = await list({ filter: { updated_to: '2020-01-01T00:00:00Z' } });
    expect(past.body.transactions).toEqual([]);
    const all = await list({
      filter: { updated_from: '2020-01-01T00:00:00Z', updated_to: '2030-01-01T00:00:00Z' },
    });
    expect(ids(all).length).toBe(5);
  });

  it.each([
    [{ filter: { gt: '-5' } }, 'filter.gt'],
    [{ filter: { eq: 'abc' } }, 'filter.eq'],
    [{ filter: { amount_min: '1e5' } }, 'filter.amount_min'],
    [{ filter: { status: 'cancelled' } }, 'filter.status'],
    [{ filter: { credit_debit_indicator: 'both' } }, 'filter.credit_debit_indicator'],
    [{ filter: { booking_date_from: '2025-13-45' } }, 'filter.booking_date_from'],
    [{ filter: { booking_date_to: 'yesterday' } }, 'filter.booking_date_to'],
    [{ filter: { updated_from: 'soon' } }, 'filter.updated_from'],
    [{ filter: { account_id: 'acc-1' } }, 'filter.account_id'],
    [{ filter: { category: 'shopping' } }, 'filter.category'],
    [{ pagination: { limit: 0 } }, 'pagination.limit'],
    [{ pagination: { limit: 251 } }, 'pagination.limit'],
    [{ pagination: { after: 'bm90LWEtY3Vyc29y' } }, 'pagination.after'],
  ])('bad input %j → validation_error on %s', async (body, field) => {
    const res = await list(body);
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.code).toBe('validation_error');
    expect(res.body.field).toBe(field);
  });

  it('walks pages by keyset; a tampered or foreign cursor is validation_error', async () => {
    const first = await list({ pagination: { limit: 2 } });
    expect(first.body.pagination).toMatchObject({ count: 2, 'more?': true });
    const after = (first.body.pagination as { after: string }).after;
    const second = await list({ pagination: { limit: 2, after } });
    expect(ids(second)).toEqual(['line T1', 'line T2']);
    const third = await list({
      pagination: { limit: 2, after: (second.body.pagination as { after: string }).after },
    });
    expect(third.body.pagination).toMatchObject({ count: 1, 'more?': false });
    expect(after).toBe((first.body.transactions as { keyset: string }[]).at(-1)!.keyset);
    // The cursor is base64url(version, JSON keyset, tag): a keyset put in front of its tag is not accepted.
    const bytes = Buffer.from(after, 'base64url');
    const tag = bytes.subarray(bytes.length - 16);
    const forged = Buffer.concat([
      Buffer.of(1),
      Buffer.from(JSON.stringify(['transactions', '2099-01-01', '00000000-0000-4000-8000-000000000000'])),
      tag,
    ]).toString('base64url');
    for (const bad of [forged, after.slice(0, -1), after.slice(1), `${after}.x`]) {
      const res = await list({ pagination: { after: bad } });
      expect(res.body.code, bad).toBe('validation_error');
      expect(res.body.field, bad).toBe('pagination.after');
    }
    const balanceCursor = (
      (await t.call('/test/ais/balances/list', { consent_id: consentId, pagination: { limit: 1 } })).body
        .pagination as { after: string }
    ).after;
    expect((await list({ pagination: { after: balanceCursor } })).body.code).toBe('validation_error');
  });

  it('data calls on another client’s consent → 404; on an unusable consent → consent_not_active', async () => {
    const other = await t.client({ name: 'Other data' });
    const as = { client_id: other.clientId, client_secret: other.clientSecret };
    for (const path of ['accounts', 'balances', 'transactions']) {
      const res = await t.call(`/test/ais/${path}/list`, { consent_id: consentId }, as);
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('consent_not_found');
    }
    const { consentId: fresh } = await t.createConsent();
    for (const path of ['accounts', 'balances', 'transactions']) {
      const res = await t.call(`/test/ais/${path}/list`, { consent_id: fresh });
      expect(res.body.code).toBe('consent_not_active');
    }
    const revoked = await t.activeConsent();
    await t.call('/test/ais/consents/revoke', { consent_id: revoked });
    for (const path of ['accounts', 'balances', 'transactions']) {
      const res = await t.call(`/test/ais/${path}/list`, { consent_id: revoked });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('consent_not_active');
    }
  });
});

describe('jobs/create and jobs/get', () => {
  it('cooldown: 60 s in test mode, with the time of the next allowed refresh', async () => {
    const consentId = await t.activeConsent();
    const early = await t.call('/test/ais/jobs/create', { consent_id: consentId });
    expect(early.status).toBe(400);
    expect(early.body.code).toBe('cooldown_failed');
    expect(early.body.retry_after).toBeGreaterThan(50);
    expect(early.body.retry_after).toBeLessThanOrEqual(60);
    expect(typeof early.body.next_refresh_at).toBe('string');
    t.clock.advance(60_000);
    const ok = await t.call('/test/ais/jobs/create', {
      consent_id: consentId,
      callback_url: 'https://app.test/job-hook',
    });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ consent_id: consentId, status: 'job_started' });
    // While it runs (not drained yet), another one is refused too.
    t.clock.advance(120_000);
    const busy = await t.call('/test/ais/jobs/create', { consent_id: consentId });
    expect(busy.body.code).toBe('cooldown_failed');
    expect(busy.body.running_job_id).toBe(ok.body.job_id);
    await t.drain();
    const got = await t.call('/test/ais/jobs/get', { consent_id: consentId, job_id: ok.body.job_id });
    expect(got.body).toMatchObject({
      job_id: ok.body.job_id,
      status: 'job_completed',
      kind: 'refresh',
      callback_url: 'https://app.test/job-hook',
      service_provider: { provider_id: 'bt_ro' },
    });
    const results = got.body.results as {
      accounts: { fetched: number };
      transactions: { inserted: number; updated: number };
      errors: unknown[];
    };
    expect(results.accounts.fetched).toBe(2);
    expect(results.transactions).toMatchObject({ inserted: 0, updated: 0 });
    expect(results.errors).toEqual([]);
    const events = await eventsOf(t, ok.body.job_id as string);
    expect(events.every((e) => e._url === 'https://app.test/job-hook')).toBe(true);
  });

  it('the cooldown is configurable', async () => {
    const live = await createAisTestApp({ env: { AIS_TEST_REFRESH_COOLDOWN_SECONDS: '600' } });
    try {
      const consentId = await live.activeConsent();
      live.clock.advance(300_000);
      expect((await live.call('/test/ais/jobs/create', { consent_id: consentId })).body.code).toBe(
        'cooldown_failed',
      );
      live.clock.advance(300_000);
      expect((await live.call('/test/ais/jobs/create', { consent_id: consentId })).status).toBe(200);
      // The test-mode setting leaves the live cooldown (AIS_REFRESH_COOLDOWN_SECONDS) at its default.
      expect(live.config.ais.refreshCooldownSeconds).toBe(6 * 3600);
    } finally {
      await live.close();
    }
  });

  it('jobs/create needs an active consent; jobs/get errors', async () => {
    const { consentId } = await t.createConsent();
    const notActive = await t.call('/test/ais/jobs/create', { consent_id: consentId });
    expect(notActive.body.code).toBe('consent_not_active');
    const unknown = await t.call('/test/ais/jobs/create', {
      consent_id: '00000000-0000-4000-8000-000000000000',
    });
    expect(unknown.body.code).toBe('consent_not_found');
    const active = await t.activeConsent();
    const missing = await t.call('/test/ais/jobs/get', {
      consent_id: active,
      job_id: '00000000-0000-4000-8000-000000000000',
    });
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('job_not_found');
    const job = await t.store.db
      .selectFrom('ais_jobs')
      .select('id')
      .where('consent_id', '=', active)
      .executeTakeFirstOrThrow();
    const wrongConsent = await t.call('/test/ais/jobs/get', {
      consent_id: await t.activeConsent(),
      job_id: job.id,
    });
    expect(wrongConsent.body.code).toBe('job_not_found');
    const badUrl = await t.call('/test/ais/jobs/create', { consent_id: active, callback_url: 'mailto:x@y' });
    expect(badUrl.body.code).toBe('validation_error');
    await t.call('/test/ais/consents/revoke', { consent_id: active });
    const ended = await t.call('/test/ais/jobs/get', { consent_id: active, job_id: job.id });
    expect(ended.body.code).toBe('consent_not_active');
  });
});

describe('refresh jobs fetch incrementally and store changes once', () => {
  it('later jobs ask from the last booked date minus the overlap; new lines insert, changed ones update', async () => {
    const consentId = await t.activeConsent();
    const first = t.bank.calls.filter((c) => c.op === 'listTransactions').at(-1)!.args[2] as {
      dateFrom: string;
    };
    expect(first.dateFrom).toBe('2024-01-03');
    t.bank.accounts[0]!.transactions.push(tx({ id: 'T4', amount: '-9.99', date: '2026-01-02' }));
    t.bank.accounts[0]!.transactions[2]!.remittanceInformationUnstructured = 'line T3 corrected';
    t.clock.advance(61_000);
    const job = await t.call('/test/ais/jobs/create', { consent_id: consentId });
    await t.drain();
    const since = t.bank.calls.filter((c) => c.op === 'listTransactions').at(-2)!.args[2] as {
      dateFrom: string;
    };
    expect(since.dateFrom).toBe('2025-12-21');
    const got = await t.call('/test/ais/jobs/get', { consent_id: consentId, job_id: job.body.job_id });
    expect((got.body.results as { transactions: unknown }).transactions).toMatchObject({
      inserted: 1,
      updated: 1,
    });
  });
});
