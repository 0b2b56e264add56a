import { hostname } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, tokenRequest } from '../../test/support/oauth-helpers.js';
import { createTestApp, type TestApp } from '../../test/support/test-app.js';
import { createFakeBank, type FakeBank, formatRefusal } from '../connectors/test-support/fake-bank.js';
import { ManualClock } from '../shared/clock.js';

const RZB_DEBTOR = 'RO03RZBR0000069999999999';
const RZB_CREDITOR = 'RO10RZBR0000069999999970';

// biome-ignore lint/suspicious/noExplicitAny: response bodies are loose JSON read field by field
type Json = Record<string, any>;

const transfer = (over: Record<string, unknown> = {}) => ({
  amount: '100.50',
  currency: 'RON',
  creditor_name: 'ACME SRL',
  creditor_iban: RZB_CREDITOR,
  remittance_info: 'Invoice 1',
  ...over,
});

describe('links API', () => {
  let t: TestApp;
  let bank: FakeBank;
  const clock = new ManualClock('2026-03-01T10:00:00Z');
  let creds: { client_id: string; client_secret: string };
  let other: { client_id: string; client_secret: string };
  let liveToken: string;
  let liveClientId: string;

  beforeAll(async () => {
    bank = createFakeBank();
    t = await createTestApp({ clock, connector: bank });
    const a = await t.client({ name: 'Shop A' });
    const b = await t.client({ name: 'Shop B' });
    creds = { client_id: a.clientId, client_secret: a.clientSecret };
    other = { client_id: b.clientId, client_secret: b.clientSecret };
    const live = await t.client({ name: 'Live shop', mode: 'live' });
    liveClientId = live.clientId;
    const token = await tokenRequest(
      t.app,
      { grant_type: 'client_credentials', scope: 'pay_by_link' },
      { authorization: basic(live.clientId, live.clientSecret) },
    );
    expect(token.status).toBe(200);
    liveToken = token.body.access_token as string;
  });
  afterAll(() => t.close());

  const call = (path: string, body: Record<string, unknown>, as = creds) =>
    t.call<Json>(`/test${path}`, body, as);
  const live = (url: string, body: Record<string, unknown>) =>
    t.call<Json>(url, body, { bearer: liveToken, client_id: liveClientId });
  const create = (body: Record<string, unknown> = {}, as = creds) =>
    call('/links/create', { single_transfer: transfer(), ...body }, as);

  describe('create', () => {
    it('creates a link with ids, URLs and a 7-day default expiry', async () => {
      const res = await create();
      expect(res.status).toBe(200);
      const b = res.body;
      expect(b.link_id).toMatch(/^[0-9a-f-]{36}$/);
      expect(b.web_id).toMatch(/^[A-Za-z0-9_-]{22}$/);
      expect(b.web_url).toBe(`http://ferry.test/pay/${b.web_id}`);
      expect(b.qr_svg_url).toBe(`http://ferry.test/pay/${b.web_id}/qr.svg`);
      expect(b.api_client_app).toBe('Shop A');
      expect(typeof b.request_id).toBe('string');
      expect(b.created_at).toBe('2026-03-01T10:00:00.000Z');
      expect(b.expires_at).toBe('2026-03-08T10:00:00.000Z');
      expect(b.status).toBe('created');
    });

    it('web_ids are distinct and carry 128 random bits', async () => {
      const ids = new Set<string>();
      for (let i = 0; i < 5; i++) ids.add((await create()).body.web_id);
      expect(ids.size).toBe(5);
      for (const id of ids) expect(Buffer.from(id, 'base64url').length).toBe(16);
    });

    it('honours expires_in and rejects more than 45 days', async () => {
      const ok = await create({ options: { expires_in: 3600 } });
      expect(ok.body.expires_at).toBe('2026-03-01T11:00:00.000Z');
      const max = await create({ options: { expires_in: 45 * 86400 } });
      expect(max.status).toBe(200);
      const over = await create({ options: { expires_in: 45 * 86400 + 1 } });
      expect(over.status).toBe(400);
      expect(over.body).toMatchObject({ code: 'validation_error', field: 'options.expires_in' });
      const frac = await create({ options: { expires_in: 10.5 } });
      expect(frac.body).toMatchObject({ code: 'validation_error', field: 'options.expires_in' });
    });

    it.each([
      ['100,50'],
      ['01.00'],
      ['00.50'],
      ['1e3'],
      ['0'],
      ['0.00'],
      ['100.'],
      ['.5'],
      ['100.505'],
      ['-1'],
      [' 1'],
      ['1 000'],
      ['1,000.00'],
      ['1000000000'],
      ['999999999.999'],
      ['NaN'],
    ])('rejects amount %j with validation_error', async (amount) => {
      const res = await create({ single_transfer: transfer({ amount }) });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: 'validation_error', field: 'single_transfer.amount' });
    });

    it('rejects a numeric amount (amounts are strings)', async () => {
      const res = await create({ single_transfer: transfer({ amount: 100.5 }) });
      expect(res.body).toMatchObject({ code: 'validation_error', field: 'single_transfer.amount' });
    });

    it.each([['100.50'], ['0.50'], ['0.05'], ['100'], ['999999999.99'], ['1.5']])(
      'accepts amount %j',
      async (amount) => {
        const res = await create({ single_transfer: transfer({ amount }) });
        expect(res.status).toBe(200);
        const got = await call('/links/get', { link_id: res.body.link_id });
        expect(got.body.amount).toBe(
          amount.includes('.') ? amount.padEnd(amount.indexOf('.') + 3, '0') : `${amount}.00`,
        );
      },
    );

    it('checks decimals against the currency (JPY has none)', async () => {
      const res = await create({ single_transfer: transfer({ currency: 'JPY', amount: '100.5' }) });
      expect(res.body).toMatchObject({ code: 'validation_error', field: 'single_transfer.amount' });
    });

    it.each([['XYZ'], ['ron'], ['RO1']])('rejects currency %j', async (currency) => {
      const res = await create({ single_transfer: transfer({ currency }) });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: 'validation_error', field: 'single_transfer.currency' });
    });

    it('rejects an ISO currency no matching method offers', async () => {
      const res = await create({ single_transfer: transfer({ currency: 'JPY', amount: '100' }) });
      expect(res.body).toMatchObject({ code: 'validation_error', field: 'single_transfer.currency' });
      expect(res.body.message).toMatch(/not offered/);
    });

    it.each([
      ['RO11RZBR0000069999999970', /check digits/],
      ['RO10RZBR000006999999997', /24 characters/],
      ['ZZ10RZBR0000069999999970', /country/],
      ['not an iban', /IBAN/],
    ])('rejects creditor IBAN %j', async (iban, message) => {
      const res = await create({ single_transfer: transfer({ creditor_iban: iban }) });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: 'validation_error', field: 'single_transfer.creditor_iban' });
      expect(res.body.message).toMatch(message);
    });

    it('accepts an IBAN written with spaces and lower case, and stores it normalised', async () => {
      const res = await create({
        single_transfer: transfer({ creditor_iban: 'ro10 rzbr 0000 0699 9999 9970' }),
      });
      expect(res.status).toBe(200);
      const got = await call('/links/get', { link_id: res.body.link_id });
      expect(got.body.single_transfer.creditor_iban).toBe(RZB_CREDITOR);
    });

    it('rejects a bad debtor IBAN', async () => {
      const res = await create({ single_transfer: transfer({ debtor_iban: 'RO03RZBR0000069999999990' }) });
      expect(res.body).toMatchObject({ code: 'validation_error', field: 'single_transfer.debtor_iban' });
    });

    it.each(['amount', 'currency', 'creditor_name', 'creditor_iban'])(
      'requires single_transfer.%s',
      async (f) => {
        const st: Record<string, unknown> = transfer();
        delete st[f];
        const res = await create({ single_transfer: st });
        expect(res.status).toBe(400);
        expect(res.body).toMatchObject({ code: 'validation_error', field: `single_transfer.${f}` });
      },
    );

    it('requires single_transfer and rejects unknown fields in it', async () => {
      const none = await call('/links/create', {});
      expect(none.body).toMatchObject({ code: 'validation_error', field: 'single_transfer' });
      const extra = await create({ single_transfer: transfer({ colour: 'red' }) });
      expect(extra.body).toMatchObject({ code: 'validation_error', field: 'single_transfer.colour' });
    });

    it('method_selection_error when no method matches the filter', async () => {
      for (const payment_method of [
        { provider_id: 'nope_ro' },
        { provider_id: ['bcr_ro', 'ing_ro'] },
        { env: 'prod' },
        { provider_id: 'cec_ro', remitter_type: ['corporate'] },
      ]) {
        const res = await create({ payment_method });
        expect(res.status, JSON.stringify(payment_method)).toBe(400);
        expect(res.body.code).toBe('method_selection_error');
      }
    });

    it('rejects bad filter values with validation_error', async () => {
      const res = await create({ payment_method: { remitter_type: ['household'] } });
      expect(res.body).toMatchObject({ code: 'validation_error' });
      expect(res.body.field).toMatch(/^payment_method\.remitter_type/);
      const env = await create({ payment_method: { env: 'production' } });
      expect(env.body).toMatchObject({ code: 'validation_error', field: 'payment_method.env' });
    });

    it('accepts provider_id as a string or an array, and scheme/remitter filters', async () => {
      expect((await create({ payment_method: { provider_id: 'bt_ro' } })).status).toBe(200);
      expect((await create({ payment_method: { provider_id: ['bt_ro', 'cec_ro'] } })).status).toBe(200);
      const r = await create({
        payment_method: { payment_scheme: ['instant'], remitter_type: ['retail'], env: 'sandbox' },
      });
      expect(r.status).toBe(200);
    });

    it('method_input_validation_error when the intent fails every matching method', async () => {
      // A valid German IBAN, but the RON domestic methods need a Romanian creditor account.
      const res = await create({ single_transfer: transfer({ creditor_iban: 'DE89370400440532013000' }) });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({
        code: 'method_input_validation_error',
        field: 'single_transfer.creditor_iban',
      });
    });

    it('method_input_validation_error when an *_sca link lacks what the bank needs (rzb_ro: IBAN or PSU ID)', async () => {
      const res = await create({
        payment_method: { provider_id: 'rzb_ro' },
        options: { type: 'wrapped_sca' },
      });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('method_input_validation_error');
    });

    it('an *_sca type needs one provider', async () => {
      const res = await create({ options: { type: 'wrapped_sca' } });
      expect(res.body).toMatchObject({ code: 'method_selection_error', field: 'payment_method.provider_id' });
    });

    it('validates tracking ids', async () => {
      expect((await create({ tracking: { customer_ref: 'cust-42', order_ref: 'order_1001' } })).status).toBe(
        200,
      );
      for (const bad of ['Cust', '-x', '', 'a'.repeat(129), 'a b']) {
        const res = await create({ tracking: { customer_ref: bad } });
        expect(res.body, bad).toMatchObject({ code: 'validation_error', field: 'tracking.customer_ref' });
      }
      const unknown = await create({ tracking: { other_ref: 'x' } });
      expect(unknown.body).toMatchObject({ code: 'validation_error', field: 'tracking.other_ref' });
    });

    it('401 when the client must send tracking ids and does not', async () => {
      const c = await t.client({ name: 'Tracked', trackingRequired: true });
      const as = { client_id: c.clientId, client_secret: c.clientSecret };
      expect((await create({}, as)).body.code).toBe('unauthorized');
      expect((await create({}, as)).status).toBe(401);
      expect((await create({ tracking: { customer_ref: 'c1' } }, as)).status).toBe(401);
      expect((await create({ tracking: { customer_ref: 'c1', order_ref: 'o1' } }, as)).status).toBe(200);
    });

    it('validates options', async () => {
      const cases: [Record<string, unknown>, string][] = [
        [{ type: 'popup' }, 'options.type'],
        [{ ux_template: 'neon' }, 'options.ux_template'],
        [{ language: 'de' }, 'options.language'],
        [{ redirect_url: 'javascript:alert(1)' }, 'options.redirect_url'],
        [{ redirect_url: 'not a url' }, 'options.redirect_url'],
        [{ webhook_url: 'ftp://example.com/hook' }, 'options.webhook_url'],
        [{ webhook_url: 'https://user:pw@example.com/hook' }, 'options.webhook_url'],
        [{ user_editable: 'yes' }, 'options.user_editable'],
        [{ type: 'direct_sca' }, 'options.redirect_url'],
        [{ colour: 'red' }, 'options.colour'],
      ];
      for (const [options, field] of cases) {
        const res = await create({ payment_method: { provider_id: 'bt_ro' }, options });
        expect(res.status, JSON.stringify(options)).toBe(400);
        expect(res.body, JSON.stringify(options)).toMatchObject({ code: 'validation_error', field });
      }
      const ok = await create({
        options: {
          redirect_url: 'https://shop.example/done?x=1',
          webhook_url: 'http://hooks.example/pay',
          ux_template: 'receipt',
          language: 'en',
          user_editable: { provider_id: true },
        },
      });
      expect(ok.status).toBe(200);
    });

    it('wrapped_sca asks the bank at creation; the link is already intent_accepted', async () => {
      const res = await create({
        single_transfer: transfer({ debtor_iban: RZB_DEBTOR }),
        payment_method: { provider_id: 'rzb_ro' },
        options: { type: 'wrapped_sca' },
      });
      expect(res.status).toBe(200);
      expect(res.body.web_url).toBe(`http://ferry.test/pay/${res.body.web_id}`);
      expect(res.body.status).toBe('intent_accepted');
      expect(res.body.expires_at).toBe('2026-03-01T10:15:00.000Z');
      const got = await call('/links/get', { link_id: res.body.link_id });
      expect(got.body.status_history.map((h: { status: string }) => h.status)).toEqual([
        'created',
        'requested',
        'intent_accepted',
      ]);
      expect(got.body.service_provider.provider_id).toBe('rzb_ro');
      expect(got.body.payment_method.method_id).toBe('rzb_ro_domestic_sandbox');
      const payment = [...bank.payments.values()].at(-1)!;
      expect(payment.input).toMatchObject({
        product: 'domestic',
        instructedAmount: { currency: 'RON', amount: '100.50' },
        debtorIban: RZB_DEBTOR,
        redirectUri: `http://ferry.test/pay/${res.body.web_id}/return`,
      });
    });

    it('direct_sca and redirect_sca return the bank SCA URL as web_url; get shows null for direct_sca', async () => {
      const direct = await create({
        single_transfer: transfer({ psu_id: '9999999998' }),
        payment_method: { provider_id: 'rzb_ro' },
        options: { type: 'direct_sca', redirect_url: 'myapp://paid' },
      });
      expect(direct.status).toBe(200);
      expect(direct.body.web_url).toMatch(/^https:\/\/bank\.example\/sca\//);
      expect(direct.body.qr_svg_url).toBeNull();
      const payment = [...bank.payments.values()].at(-1)!;
      expect(payment.input.redirectUri).toBe('myapp://paid');
      const got = await call('/links/get', { link_id: direct.body.link_id });
      expect(got.body.web_url).toBeNull();

      const redirect = await create({
        payment_method: { provider_id: 'bt_ro' },
        options: { type: 'redirect_sca' },
      });
      expect(redirect.body.web_url).toMatch(/^https:\/\/bank\.example\/sca\//);
      const r = await call('/links/get', { link_id: redirect.body.link_id });
      expect(r.body.web_url).toBe(redirect.body.web_url);
    });

    it('a bank refusal at creation is 400 unprocessable_entity and creates no link', async () => {
      const before = (await call('/links/list', { pagination: { limit: 250 } })).body.pagination.count;
      bank.fail('createPayment', formatRefusal);
      const res = await create({
        payment_method: { provider_id: 'bt_ro' },
        options: { type: 'redirect_sca' },
      });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('unprocessable_entity');
      expect(res.body.bank_error).toMatchObject({ kind: 'rejected', codes: ['FORMAT_ERROR'] });
      const after = (await call('/links/list', { pagination: { limit: 250 } })).body.pagination.count;
      expect(after).toBe(before);
    });

    it('writes no webhook at creation (nothing changed); the first change writes one to the link’s URL', async () => {
      const res = await create({ options: { webhook_url: 'https://hooks.example/a' } });
      const events = () =>
        t.store.db
          .selectFrom('webhook_events')
          .selectAll()
          .where('object_id', '=', res.body.link_id)
          .execute();
      expect(await events()).toHaveLength(0);
      await call('/links/cancel', { link_id: res.body.link_id });
      const rows = await events();
      expect(rows).toHaveLength(1);
      expect(JSON.parse(rows[0]!.body)).toEqual({
        type: 'link_status_update',
        link_id: res.body.link_id,
        web_id: res.body.web_id,
        status: 'revoked',
        event_id: rows[0]!.id,
        occurred_at: rows[0]!.created_at.toISOString(),
        sequence: Number(rows[0]!.sequence),
      });
      expect(rows[0]!.url).toBe('https://hooks.example/a');
    });
  });

  describe('get', () => {
    it('returns the link with status, expiry, amounts and history', async () => {
      const c = await create({ tracking: { customer_ref: 'c-1' } });
      const res = await call('/links/get', { link_id: c.body.link_id });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        link_id: c.body.link_id,
        web_id: c.body.web_id,
        web_url: c.body.web_url,
        status: 'created',
        is_expired: false,
        expires_at: c.body.expires_at,
        amount: '100.50',
        currency: 'RON',
        single_transfer: { creditor_name: 'ACME SRL', remittance_info: 'Invoice 1' },
        tracking: { customer_ref: 'c-1' },
        api_client_app: 'Shop A',
      });
      expect(res.body.payment_method).toBeUndefined();
      expect(res.body.status_history).toEqual([{ status: 'created', at: c.body.created_at }]);
    });

    it('is_expired turns true at expires_at for a link that never reached the bank', async () => {
      const c = await create({ options: { expires_in: 60 } });
      clock.advance(59_000);
      expect((await call('/links/get', { link_id: c.body.link_id })).body.is_expired).toBe(false);
      clock.advance(1_000);
      expect((await call('/links/get', { link_id: c.body.link_id })).body.is_expired).toBe(true);
      expect(await t.services.pay.flow.sweepExpired()).toBeGreaterThanOrEqual(1);
      const row = await t.store.db
        .selectFrom('pay_links')
        .select('is_expired')
        .where('id', '=', c.body.link_id)
        .executeTakeFirst();
      expect(row?.is_expired).toBe(true);
    });

    it('validates link_id and answers 404 for unknown and foreign links', async () => {
      const c = await create();
      expect((await call('/links/get', { link_id: 'short' })).body).toMatchObject({
        code: 'validation_error',
        field: 'link_id',
      });
      expect((await call('/links/get', { link_id: 'x'.repeat(36) })).body).toMatchObject({
        code: 'validation_error',
        field: 'link_id',
      });
      expect((await call('/links/get', {})).body).toMatchObject({
        code: 'validation_error',
        field: 'link_id',
      });
      const unknown = await call('/links/get', { link_id: '00000000-0000-4000-8000-000000000000' });
      expect(unknown.status).toBe(404);
      expect(unknown.body.code).toBe('not_found');
      const foreign = await call('/links/get', { link_id: c.body.link_id }, other);
      expect(foreign.status).toBe(404);
      expect(foreign.body.code).toBe('not_found');
    });
  });

  describe('list', () => {
    it('lists only the caller’s links, newest first, with keysets', async () => {
      const c = await t.client({ name: 'Lister' });
      const as = { client_id: c.clientId, client_secret: c.clientSecret };
      const made: string[] = [];
      for (let i = 0; i < 3; i++) {
        made.push((await create({}, as)).body.link_id);
        clock.advance(1);
      }
      await create({}, other);
      const res = await call('/links/list', {}, as);
      expect(res.status).toBe(200);
      expect(res.body.links.map((l: { link_id: string }) => l.link_id)).toEqual([...made].reverse());
      expect(res.body.pagination).toMatchObject({ count: 3, 'more?': false, after: null });
      for (const l of res.body.links) expect(l.keyset).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(res.body.links[0]).toMatchObject({
        status: 'created',
        is_expired: false,
        amount: '100.50',
        currency: 'RON',
      });
    });

    it('filters by status (one or several) and insertion time', async () => {
      const c = await t.client({ name: 'Filter' });
      const as = { client_id: c.clientId, client_secret: c.clientSecret };
      const t0 = clock.now().toISOString();
      const a = (await create({}, as)).body.link_id;
      clock.advance(60_000);
      const t1 = clock.now().toISOString();
      const b = (await create({}, as)).body.link_id;
      await call('/links/cancel', { link_id: b }, as);
      const revoked = await call('/links/list', { filter: { status: 'revoked' } }, as);
      expect(revoked.body.links.map((l: { link_id: string }) => l.link_id)).toEqual([b]);
      const both = await call('/links/list', { filter: { status: ['created', 'revoked'] } }, as);
      expect(both.body.links).toHaveLength(2);
      const from = await call('/links/list', { filter: { inserted_at_from: t1 } }, as);
      expect(from.body.links.map((l: { link_id: string }) => l.link_id)).toEqual([b]);
      const to = await call('/links/list', { filter: { inserted_at_to: t1, inserted_at_from: t0 } }, as);
      expect(to.body.links.map((l: { link_id: string }) => l.link_id)).toEqual([a]);
    });

    it('rejects bad list input', async () => {
      const cases: [Record<string, unknown>, string][] = [
        [{ pagination: { limit: 0 } }, 'pagination.limit'],
        [{ pagination: { limit: 251 } }, 'pagination.limit'],
        [{ pagination: { after: 'not-a-cursor' } }, 'pagination.after'],
        [{ pagination: { after: Buffer.from('["x","y"]').toString('base64url') } }, 'pagination.after'],
        [{ filter: { status: 'paid' } }, 'filter.status'],
        [{ filter: { inserted_at_from: 'yesterday!' } }, 'filter.inserted_at_from'],
        [{ filter: { inserted_at_to: '2024-13-45T00:00:00Z' } }, 'filter.inserted_at_to'],
      ];
      for (const [body, field] of cases) {
        const res = await call('/links/list', body);
        expect(res.status, JSON.stringify(body)).toBe(400);
        expect(res.body.code).toBe('validation_error');
        expect(res.body.field.startsWith(field), `${res.body.field} vs ${field}`).toBe(true);
      }
    });
  });

  describe('cancel', () => {
    it('revokes a link not yet at the bank, idempotently, with an event', async () => {
      const c = await create();
      const res = await call('/links/cancel', { link_id: c.body.link_id });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ link_id: c.body.link_id, status: 'revoked' });
      expect((await call('/links/cancel', { link_id: c.body.link_id })).body.status).toBe('revoked');
      const got = await call('/links/get', { link_id: c.body.link_id });
      expect(got.body.status).toBe('revoked');
      expect(got.body.status_history.map((h: { status: string }) => h.status)).toEqual([
        'created',
        'revoked',
      ]);
      const events = await t.store.db
        .selectFrom('webhook_events')
        .select('body')
        .where('object_id', '=', c.body.link_id)
        .execute();
      expect(events.map((e) => JSON.parse(e.body).status)).toEqual(['revoked']);
    });

    it('cancels at the bank first when the bank holds the payment', async () => {
      const c = await create({ payment_method: { provider_id: 'bt_ro' }, options: { type: 'wrapped_sca' } });
      const res = await call('/links/cancel', { link_id: c.body.link_id });
      expect(res.body.status).toBe('revoked');
      expect(bank.calls.at(-1)?.op).toBe('cancelPayment');
    });

    it('refuses once the bank has the authorised payment (and records what the bank said)', async () => {
      const c = await create({ payment_method: { provider_id: 'bt_ro' }, options: { type: 'wrapped_sca' } });
      const paymentId = [...bank.payments.keys()].at(-1)!;
      bank.setPaymentStatus(paymentId, 'ACTC');
      const res = await call('/links/cancel', { link_id: c.body.link_id });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: 'unprocessable_entity', status: 'submitted' });
      expect((await call('/links/get', { link_id: c.body.link_id })).body.status).toBe('submitted');
    });

    it('link_expired for an expired link; 404 for a foreign one', async () => {
      const c = await create({ options: { expires_in: 60 } });
      clock.advance(61_000);
      const res = await call('/links/cancel', { link_id: c.body.link_id });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('link_expired');
      const d = await create();
      expect((await call('/links/cancel', { link_id: d.body.link_id }, other)).status).toBe(404);
    });
  });

  describe('live paths (/v1, /v2) with a pay_by_link bearer token', () => {
    it('create, get and list on v2; create and get on v1; list and cancel are not on v1', async () => {
      const c2 = await live('/v2/links/create', { single_transfer: transfer() });
      expect(c2.status).toBe(200);
      expect(c2.body.api_client_app).toBe('Live shop');
      const g2 = await live('/v2/links/get', { link_id: c2.body.link_id });
      expect(g2.body.status).toBe('created');
      const l2 = await live('/v2/links/list', {});
      expect(l2.body.links.map((l: { link_id: string }) => l.link_id)).toContain(c2.body.link_id);
      const c1 = await live('/v1/links/create', { single_transfer: transfer() });
      expect(c1.status).toBe(200);
      expect((await live('/v1/links/get', { link_id: c1.body.link_id })).body.status).toBe('created');
      expect((await live('/v1/links/list', {})).status).toBe(404);
      expect((await live('/v1/links/cancel', { link_id: c1.body.link_id })).status).toBe(404);
      expect((await live('/v2/links/cancel', { link_id: c1.body.link_id })).body.status).toBe('revoked');
    });

    it('bad input gets the same codes on /v1 and /v2', async () => {
      for (const v of ['v1', 'v2']) {
        const amount = await live(`/${v}/links/create`, { single_transfer: transfer({ amount: '1,5' }) });
        expect(amount.body, v).toMatchObject({ code: 'validation_error', field: 'single_transfer.amount' });
        const iban = await live(`/${v}/links/create`, {
          single_transfer: transfer({ creditor_iban: 'RO00XXXX' }),
        });
        expect(iban.body, v).toMatchObject({
          code: 'validation_error',
          field: 'single_transfer.creditor_iban',
        });
        const none = await live(`/${v}/links/create`, {
          single_transfer: transfer(),
          payment_method: { provider_id: 'nope' },
        });
        expect(none.body.code, v).toBe('method_selection_error');
        const schema = await live(`/${v}/links/create`, {
          single_transfer: transfer({ creditor_iban: 'DE89370400440532013000' }),
        });
        expect(schema.body.code, v).toBe('method_input_validation_error');
        const id = await live(`/${v}/links/get`, { link_id: 'nope' });
        expect(id.body, v).toMatchObject({ code: 'validation_error', field: 'link_id' });
        expect(
          (await live(`/${v}/links/get`, { link_id: '00000000-0000-4000-8000-000000000000' })).status,
        ).toBe(404);
      }
      expect((await live('/v2/links/list', { pagination: { limit: 0 } })).body).toMatchObject({
        code: 'validation_error',
        field: 'pagination.limit',
      });
      const expiring = await live('/v2/links/create', {
        single_transfer: transfer(),
        options: { expires_in: 60 },
      });
      clock.advance(61_000);
      expect((await live('/v2/links/cancel', { link_id: expiring.body.link_id })).body.code).toBe(
        'link_expired',
      );
    });

    it('another live client’s link is 404 on every live endpoint', async () => {
      const other = await t.client({ name: 'Other live', mode: 'live' });
      const token = await tokenRequest(
        t.app,
        { grant_type: 'client_credentials', scope: 'pay_by_link' },
        { authorization: basic(other.clientId, other.clientSecret) },
      );
      const mine = await live('/v2/links/create', { single_transfer: transfer() });
      for (const url of ['/v1/links/get', '/v2/links/get', '/v2/links/cancel']) {
        const res = await t.app.inject({
          method: 'POST',
          url,
          headers: { authorization: `Bearer ${token.body.access_token as string}` },
          payload: { client_id: other.clientId, link_id: mine.body.link_id },
        });
        expect(res.statusCode, url).toBe(404);
      }
      const list = await t.app.inject({
        method: 'POST',
        url: '/v2/links/list',
        headers: { authorization: `Bearer ${token.body.access_token as string}` },
        payload: { client_id: other.clientId },
      });
      expect(list.json().links).toEqual([]);
    });

    it('a live link’s webhook_url must be https and must not target private addresses', async () => {
      for (const webhook_url of [
        'http://hooks.example/x',
        'https://127.0.0.1/x',
        'https://10.1.2.3/x',
        'https://[::1]/x',
        // Names that mean this machine: refused at input, not only at delivery.
        'https://localhost./x',
        'https://ip6-localhost/x',
        `https://${hostname()}/x`,
      ]) {
        const res = await live('/v2/links/create', { single_transfer: transfer(), options: { webhook_url } });
        expect(res.body, webhook_url).toMatchObject({
          code: 'validation_error',
          field: 'options.webhook_url',
        });
      }
      const ok = await live('/v2/links/create', {
        single_transfer: transfer(),
        options: { webhook_url: 'https://hooks.example/x' },
      });
      expect(ok.status).toBe(200);
    });

    it('live paths use live methods: env sandbox matches nothing there', async () => {
      const res = await live('/v2/links/create', {
        single_transfer: transfer(),
        payment_method: { env: 'sandbox' },
      });
      expect(res.body.code).toBe('method_selection_error');
    });

    it('rejects a missing token and a token without pay_by_link; test links are 404 on live', async () => {
      const none = await t.app.inject({
        method: 'POST',
        url: '/v2/links/create',
        payload: { single_transfer: transfer() },
      });
      expect(none.statusCode).toBe(401);
      const testLink = await create();
      expect((await live('/v2/links/get', { link_id: testLink.body.link_id })).status).toBe(404);
    });

    it('v1 shows funds_* as completed; v2 shows them as they are', async () => {
      const c = await live('/v2/links/create', { single_transfer: transfer() });
      await t.store.db
        .updateTable('pay_links')
        .set({ status: 'funds_received' })
        .where('id', '=', c.body.link_id)
        .execute();
      expect((await live('/v1/links/get', { link_id: c.body.link_id })).body.status).toBe('completed');
      expect((await live('/v2/links/get', { link_id: c.body.link_id })).body.status).toBe('funds_received');
    });
  });
});
