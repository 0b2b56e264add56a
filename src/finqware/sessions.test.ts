import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AisTestApp, createAisTestApp } from '../ais/test-support/ais-test-app.js';

let t: AisTestApp;
let tenant: { client_id: string; client_app_key: string; client_secret: string };
const SKILL = 'bt_ro_aisp_sbx_#1.0';
const PSU = 'https://shop.test/back?from=ferry';

beforeAll(async () => {
  t = await createAisTestApp();
  const client = (await t.services.clients.find(t.creds.client_id))!;
  tenant = { ...t.creds, client_app_key: client.clientAppKey };
});
afterAll(async () => {
  await t?.close();
});

type Json = Record<string, unknown>;
const post = async (path: string, body: unknown) => {
  const res = await t.app.inject({
    method: 'POST',
    url: `/finqware/v1${path}`,
    headers: { 'content-type': 'application/json' },
    payload: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.statusCode, body: res.json() as Json & Json[] };
};

const startSession = async (skill = SKILL) => {
  const res = await post('/sessions', {
    client_id: tenant.client_id,
    client_app_key: tenant.client_app_key,
    skill,
    tenant_user_id: 'user-1',
  });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as unknown as { nonce: string; session_id: string; status: string };
};

const sca = (sessionId: string, nonce: string, extra: Json = {}) =>
  post(`/sessions/${sessionId}/steps`, {
    client_id: tenant.client_id,
    nonce,
    skill: SKILL,
    step: 'sca',
    data: { psu_redirect_link: PSU },
    ...extra,
  });

/** The bank said `status`; the user comes back to Ferry's page, the first job runs; where does Ferry send them? */
async function backFromBank(sessionId: string, bankStatus: 'valid' | 'rejected'): Promise<URL> {
  const consent = await t.store.db
    .selectFrom('finqware_sessions as s')
    .innerJoin('ais_consents as c', 'c.id', 's.consent_id')
    .select(['c.web_id', 'c.id'])
    .where('s.id', '=', sessionId)
    .executeTakeFirstOrThrow();
  t.bank.setConsentStatus(t.bank.lastConsentId(), bankStatus);
  expect((await t.page(`/consent/${consent.web_id}/callback`)).status).toBe(303);
  await t.drain();
  const live = await t.app.inject({ url: `/consent/${consent.web_id}/status` });
  const redirect = (live.json() as { redirect: string | null }).redirect;
  expect(redirect, live.body).toContain('/finqware/return/');
  const back = await t.app.inject({ url: new URL(redirect!).pathname + new URL(redirect!).search });
  expect(back.statusCode).toBe(303);
  return new URL(String(back.headers.location));
}

async function credentials() {
  const session = await startSession();
  const step = await sca(session.session_id, session.nonce);
  expect(step.status, JSON.stringify(step.body)).toBe(200);
  const back = await backFromBank(session.session_id, 'valid');
  const tokens = await post('/tokens', {
    client_id: tenant.client_id,
    client_secret: tenant.client_secret,
    temp_token: back.searchParams.get('temp_token'),
  });
  expect(tokens.status, JSON.stringify(tokens.body)).toBe(200);
  const keys = {
    client_id: tenant.client_id,
    client_secret: tenant.client_secret,
    credentials_id: tokens.body.credentials_id as string,
    access_token: tokens.body.access_token as string,
  };
  return { session, keys, data: { ...keys, tenant_user_id: 'user-1' } };
}

describe('classic AIS session: sca step → bank → temp_token → tokens → data → delete', () => {
  it('runs end to end on the same consent and transactions as FinqLink', async () => {
    const session = await startSession();
    expect(session.status).toBe('SESSION_CREATED');
    const step = await sca(session.session_id, session.nonce);
    expect(step.status, JSON.stringify(step.body)).toBe(200);
    expect(step.body).toMatchObject({ status: 'SESSION_IN_PROGRESS', nonce: null, data: { method: 'GET' } });
    expect(String((step.body.data as Json).url)).toContain('https://bank.test/sca/');

    const back = await backFromBank(session.session_id, 'valid');
    expect(back.origin + back.pathname).toBe('https://shop.test/back');
    expect(back.searchParams.get('from')).toBe('ferry');
    const tempToken = back.searchParams.get('temp_token')!;
    expect(tempToken).toMatch(/^[A-Za-z0-9_-]{40,}$/);

    const exchange = {
      client_id: tenant.client_id,
      client_secret: tenant.client_secret,
      temp_token: tempToken,
    };
    const tokens = await post('/tokens', exchange);
    expect(tokens.status, JSON.stringify(tokens.body)).toBe(200);
    expect(Object.keys(tokens.body).sort()).toEqual([
      'access_token',
      'consent_exp',
      'credentials_id',
      'max_data_retention',
    ]);
    // Single use: the same temp_token again is refused.
    expect((await post('/tokens', exchange)).body).toMatchObject({ http: 401, code: 'invalid_temp_token' });
    // The access_token is kept as a hash only.
    const stored = await t.store.db.selectFrom('finqware_credentials').selectAll().execute();
    expect(JSON.stringify(stored)).not.toContain(tokens.body.access_token as string);

    const keys = {
      client_id: tenant.client_id,
      client_secret: tenant.client_secret,
      credentials_id: tokens.body.credentials_id,
      access_token: tokens.body.access_token,
      tenant_user_id: 'user-1',
    };
    const accounts = await post('/accounts/get', keys);
    expect(accounts.status, JSON.stringify(accounts.body)).toBe(200);
    expect(accounts.body.length).toBeGreaterThan(0);
    const ron = (accounts.body as Json[]).find((a) => (a.data as Json).currency === 'RON')!;
    expect(ron).toMatchObject({
      servicer_id: 'bt_ro',
      data: {
        account_schemes: expect.arrayContaining([
          { scheme_name: 'IBAN', identification: 'RO49AAAA1B31007593840000' },
        ]),
        currency: 'RON',
      },
    });
    const types = ((ron.data as Json).balances as Json[]).map((b) => b.balance_type);
    expect(types).toEqual(expect.arrayContaining(['ClosingBooked', 'InterimAvailable', 'Expected']));
    expect(types).not.toContain('Available');
    const expected = ((ron.data as Json).balances as Json[]).find((b) => b.balance_type === 'Expected')!;
    expect(expected).toMatchObject({ balance_amount: '10.00', credit_debit_indicator: 'debit' });

    const balances = await post('/balances/get', {
      ...keys,
      filter: { type: 'ClosingBooked', account_id: ron.id, currency: 'RON' },
    });
    expect(balances.status, JSON.stringify(balances.body)).toBe(200);
    expect(balances.body.length).toBeGreaterThan(0);
    for (const b of balances.body as Json[]) expect((b.data as Json).type).toBe('ClosingBooked');
    expect(balances.body[0]).toMatchObject({ data: { native_date: '2025-12-31', amount: '1500.25' } });

    const all = await post('/transactions/get', keys);
    expect(all.status, JSON.stringify(all.body)).toBe(200);
    const rows = all.body as Json[];
    expect(rows.length).toBeGreaterThan(2);
    // The same utx_id as FinqLink Data gives for the same consent.
    const consentId = (
      await t.store.db
        .selectFrom('finqware_sessions')
        .select('consent_id')
        .where('id', '=', session.session_id)
        .executeTakeFirstOrThrow()
    ).consent_id!;
    const finqlink = await t.call('/test/ais/transactions/list', { consent_id: consentId, limit: 100 });
    const utx = (finqlink.body.transactions as Json[]).map((x) => x.utx_id).sort();
    expect(rows.map((r) => r.utx_id).sort()).toEqual(utx);

    const filtered = async (filter: Json) => {
      const res = await post('/transactions/get', { ...keys, filter });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body as Json[];
    };
    // Amounts compare exactly: 25.50 is below 25.51 and not below 25.5; a float's noise is not a bound.
    const small = await filtered({ lt: 25.51, credit_debit_indicator: 'debit' });
    expect(small.map((r) => (r.data as Json).amount)).toContain('25.50');
    expect((await filtered({ lt: '25.5' })).map((r) => (r.data as Json).amount)).not.toContain('25.50');
    // A JSON number with binary noise, as the original's docs write it (`lt: 4.2700000000000001`), is 25.50.
    const noisy = await post(
      '/transactions/get',
      `{${JSON.stringify(keys).slice(1, -1)},"filter":{"eq":25.500000000000001}}`,
    );
    expect((noisy.body as Json[]).map((r) => (r.data as Json).amount)).toEqual(['25.50']);
    expect((await filtered({ gte: '3500' })).every((r) => Number((r.data as Json).amount) >= 3500)).toBe(
      true,
    );
    const dated = await filtered({ booking_date_gt: '2025-12-15T00:00:00Z', booking_date_lte: '2025-12-28' });
    expect(dated.length).toBeGreaterThan(0);
    for (const r of dated) {
      const day = String((r.data as Json).booking_date_time).slice(0, 10);
      expect(day > '2025-12-15' && day <= '2025-12-28', day).toBe(true);
    }
    expect(await filtered({ status: 'pending', currency: 'EUR' })).toEqual([]);
    expect(await filtered({ category: 'shopping' })).toEqual([]);
    // timestamp_*: when Ferry stored the row (incremental sync).
    const storedAt = String(rows[0]!.timestamp);
    expect((await filtered({ timestamp_gte: storedAt })).length).toBeGreaterThan(0);
    expect(await filtered({ timestamp_gt: '2099-01-01T00:00:00Z' })).toEqual([]);
    const bad = await post('/transactions/get', { ...keys, filter: { lt: 'abc' } });
    expect(bad.body).toMatchObject({ http: 400, type: 'invalid_request', code: 'invalid_field' });

    const got = await post('/consents/get', keys);
    expect(got.status, JSON.stringify(got.body)).toBe(200);
    expect(got.body).toMatchObject({
      op_type: 'read',
      code: 'credentials_info',
      http: 200,
      result: {
        credentials_id: keys.credentials_id,
        status: 'ACTIVE',
        originator: { country: 'Romania', skill: SKILL },
        tenant_app_info: { client_id: tenant.client_id },
      },
    });

    const deleted = await post('/consents/delete', keys);
    expect(deleted.status, JSON.stringify(deleted.body)).toBe(200);
    expect(deleted.body).toMatchObject({
      op_type: 'delete',
      code: 'credentials_deleted',
      result: { status: 'DELETED' },
    });
    // Idempotent; the bank's consent was deleted at the bank; the data cannot be read any more.
    expect((await post('/consents/delete', keys)).status).toBe(200);
    expect(t.bank.calls.some((c) => c.op === 'deleteConsent')).toBe(true);
    expect((await post('/accounts/get', keys)).body).toMatchObject({
      http: 401,
      code: 'inactive_credentials',
    });
    expect((await post('/consents/get', keys)).body).toMatchObject({ result: { status: 'DELETED' } });
    // pcd_data_retention 0: the purge takes the cached data at once.
    expect(await t.services.finqware.purgeDueData()).toBe(1);
    const left = await t.store.db
      .selectFrom('ais_transactions')
      .select(({ fn }) => fn.countAll<string>().as('n'))
      .where('consent_id', '=', consentId)
      .executeTakeFirstOrThrow();
    expect(Number(left.n)).toBe(0);
  });

  it('keeps deleted data for pcd_data_retention minutes, then purges it', async () => {
    const { keys } = await credentials();
    const bad = await post('/consents/delete', { ...keys, pcd_data_retention: -1 });
    expect(bad.body).toMatchObject({ http: 400, code: 'invalid_pcd_data_retention' });
    expect((await post('/consents/delete', { ...keys, pcd_data_retention: 60 })).status).toBe(200);
    expect(await t.services.finqware.purgeDueData()).toBe(0);
    t.clock.advance(61 * 60_000);
    expect(await t.services.finqware.purgeDueData()).toBe(1);
  });

  it('refuses a wrong access_token, a foreign credentials_id and another tenant_user_id with 401', async () => {
    const { data } = await credentials();
    expect((await post('/accounts/get', { ...data, access_token: 'x'.repeat(43) })).body).toMatchObject({
      http: 401,
      type: 'unauthorized',
      code: 'invalid_access_token',
    });
    expect(
      (await post('/accounts/get', { ...data, credentials_id: '00000000-0000-4000-8000-000000000000' })).body,
    ).toMatchObject({ http: 401, code: 'invalid_credentials_id' });
    expect((await post('/accounts/get', { ...data, tenant_user_id: 'someone-else' })).body).toMatchObject({
      http: 401,
      code: 'invalid_credentials_id',
    });
    expect((await post('/accounts/get', { ...data, client_secret: 'wrong' })).body).toMatchObject({
      http: 401,
      code: 'invalid_client_secret',
    });
  });

  it('a temp_token lasts 10 minutes', async () => {
    const session = await startSession();
    await sca(session.session_id, session.nonce);
    const back = await backFromBank(session.session_id, 'valid');
    t.clock.advance(10 * 60_000 + 1);
    const late = await post('/tokens', {
      client_id: tenant.client_id,
      client_secret: tenant.client_secret,
      temp_token: back.searchParams.get('temp_token'),
    });
    expect(late.body).toMatchObject({ http: 401, code: 'invalid_temp_token' });
  });

  it('a refused SCA sends the user back with error=access_denied and fails the session', async () => {
    const session = await startSession();
    await sca(session.session_id, session.nonce);
    const back = await backFromBank(session.session_id, 'rejected');
    expect(back.searchParams.get('error')).toBe('access_denied');
    expect(back.searchParams.has('temp_token')).toBe(false);
    const row = await t.store.db
      .selectFrom('finqware_sessions')
      .select('status')
      .where('id', '=', session.session_id)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('SESSION_FAILED');
  });
});

describe('nonces', () => {
  it('a used nonce is refused and changes nothing', async () => {
    const session = await startSession();
    expect((await sca(session.session_id, session.nonce)).status).toBe(200);
    const again = await sca(session.session_id, session.nonce);
    expect(again.body).toMatchObject({ http: 400, type: 'invalid_request', code: 'invalid_step' });
  });

  it('a nonce expires after 30 minutes (the clock is injected)', async () => {
    const session = await startSession();
    t.clock.advance(30 * 60_000 + 1);
    const late = await sca(session.session_id, session.nonce);
    expect(late.body).toMatchObject({ http: 400, code: 'invalid_step' });
    expect(String(late.body.message)).toContain('expired');
  });

  it('a nonce belongs to its session', async () => {
    const a = await startSession();
    const b = await startSession();
    const foreign = await sca(b.session_id, a.nonce);
    expect(foreign.body).toMatchObject({ http: 400, code: 'invalid_step' });
    // Both nonces still work where they belong.
    expect((await sca(a.session_id, a.nonce)).status).toBe(200);
    expect((await sca(b.session_id, b.nonce)).status).toBe(200);
  });

  it('steps go in order', async () => {
    const deposit = 'ferry_term_deposit_sbx_#1.0';
    const session = await startSession(deposit);
    const step = (name: string, nonce: string, data: Json) =>
      post(`/sessions/${session.session_id}/steps`, {
        client_id: tenant.client_id,
        nonce,
        skill: deposit,
        step: name,
        data,
      });
    const early = await step('kyc', session.nonce, { full_name: 'Ana Pop' });
    expect(early.body).toMatchObject({ http: 400, code: 'invalid_step' });
    expect(String(early.body.message)).toContain('expects product_form');
    const form = await step('product_form', session.nonce, { value: '1000.00', currency: 'RON', period: 6 });
    expect(form.status, JSON.stringify(form.body)).toBe(200);
    expect(form.body).toMatchObject({ status: 'SESSION_IN_PROGRESS', data: { next_step: 'kyc' } });
    const kyc = await step('kyc', form.body.nonce as string, { full_name: 'Ana Pop' });
    expect(kyc.status, JSON.stringify(kyc.body)).toBe(200);
    expect(((kyc.body.data as Json).uploads as Json[]).map((u) => u.name)).toEqual(['id_document', 'selfie']);
  });

  it('of 50 concurrent submissions of one nonce exactly one is accepted', async () => {
    const session = await startSession();
    const results = await Promise.all(
      Array.from({ length: 50 }, () => sca(session.session_id, session.nonce)),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    for (const r of results.filter((x) => x.status !== 200)) {
      expect(r.body).toMatchObject({ http: 400, code: 'invalid_step' });
    }
    const consents = await t.store.db
      .selectFrom('ais_consents')
      .select('id')
      .where(({ eb, ref }) =>
        eb(
          eb.fn('jsonb_extract_path_text', [ref('tracking'), eb.val('finqware_session_id')]),
          '=',
          session.session_id,
        ),
      )
      .execute();
    expect(consents).toHaveLength(1);
  });

  it('bad input changes nothing: the nonce still works after a refused submission', async () => {
    const session = await startSession();
    const cases: [Json, string][] = [
      [{ data: {} }, 'missing_fields'],
      [{ data: { psu_redirect_link: 'javascript:alert(1)' } }, 'invalid_field'],
      [{ data: { psu_redirect_link: PSU, extra: 1 } }, 'unknown_fields'],
      [{ step: 'payment_intent' }, 'invalid_step'],
      [{ skill: 'rzb_ro_aisp_sbx_#1.0' }, 'invalid_skill_name'],
      [{ client_id: 'nobody' }, 'invalid_client_id'],
    ];
    for (const [change, code] of cases) {
      const res = await sca(session.session_id, session.nonce, change);
      expect(res.body, JSON.stringify(change)).toMatchObject({ code });
    }
    const unknown = await sca('00000000-0000-4000-8000-000000000000', session.nonce);
    expect(unknown.body).toMatchObject({ http: 400, code: 'invalid_session_id' });
    expect((await sca(session.session_id, session.nonce)).status).toBe(200);
  });

  it('a session needs a skill of the catalogue and the app key', async () => {
    const wrongSkill = await post('/sessions', {
      client_id: tenant.client_id,
      client_app_key: tenant.client_app_key,
      skill: 'nope_#1.0',
    });
    expect(wrongSkill.body).toMatchObject({ http: 400, code: 'invalid_skill_name' });
    const wrongKey = await post('/sessions', {
      client_id: tenant.client_id,
      client_app_key: 'fak_wrong',
      skill: SKILL,
    });
    expect(wrongKey.body).toMatchObject({ http: 401, code: 'invalid_client_app_key' });
  });
});
