import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, csrfOf, type TestApp } from '../../test/support/test-app.js';
import { createFakeBank, type FakeBank, formatRefusal } from '../connectors/test-support/fake-bank.js';
import { ManualClock } from '../shared/clock.js';
import { translator } from '../webui/index.js';
import { bankNotificationSecret, signBankNotification } from './bank-notifications.js';

// biome-ignore lint/suspicious/noExplicitAny: response bodies are loose JSON read field by field
type Json = Record<string, any>;

const CREDITOR = 'RO10RZBR0000069999999970';

describe('payment flow through the hosted page (fake bank)', () => {
  let t: TestApp;
  let bank: FakeBank;
  const clock = new ManualClock('2026-04-01T08:00:00Z');
  let creds: { client_id: string; client_secret: string };

  beforeAll(async () => {
    bank = createFakeBank();
    t = await createTestApp({ clock, connector: bank });
    const c = await t.client({ name: 'Shop' });
    creds = { client_id: c.clientId, client_secret: c.clientSecret };
  });
  afterAll(() => t.close());

  const api = (path: string, body: Record<string, unknown>) => t.call<Json>(`/test${path}`, body, creds);
  const createLink = async (body: Record<string, unknown> = {}, st: Record<string, unknown> = {}) => {
    const res = await api('/links/create', {
      single_transfer: {
        amount: '25.00',
        currency: 'RON',
        creditor_name: 'ACME SRL',
        creditor_iban: CREDITOR,
        ...st,
      },
      ...body,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body as { link_id: string; web_id: string; web_url: string };
  };
  const history = async (linkId: string) =>
    ((await api('/links/get', { link_id: linkId })).body.status_history as { status: string }[]).map(
      (h) => h.status,
    );
  const statusOf = async (linkId: string) =>
    (await api('/links/get', { link_id: linkId })).body.status as string;

  /** Opens the page like a browser: returns the cookie and the form token. */
  const open = async (webId: string, query = '') => {
    const res = await t.app.inject({ method: 'GET', url: `/pay/${webId}${query}` });
    const cookie = String(res.headers['set-cookie'] ?? '').split(';')[0] ?? '';
    const token = csrfOf(res.body);
    return { res, cookie, token };
  };
  const post = (webId: string, action: string, cookie: string, form: Record<string, string>) =>
    t.app.inject({
      method: 'POST',
      url: `/pay/${webId}/${action}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
      payload: new URLSearchParams(form).toString(),
    });
  const metaTarget = (res: LightMyRequestResponse) =>
    /<meta http-equiv="refresh" content="0;url=([^"]+)">/.exec(res.body)?.[1]?.replace(/&amp;/g, '&');

  it('serves the page with a strict CSP, a nonce, a CSRF cookie, and moves created → started', async () => {
    const link = await createLink();
    const { res, cookie, token } = await open(link.web_id);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    const csp = String(res.headers['content-security-policy']);
    const nonce = /script-src 'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce).toBeTruthy();
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("form-action 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.body).toContain(`nonce="${nonce}"`);
    expect(res.body).not.toMatch(/<script>(?!<\/script>)/);
    expect(res.body).not.toMatch(/\sstyle="/);
    expect(res.body).not.toMatch(/https?:\/\/(?!ferry\.test)[a-z]/i);
    expect(cookie).toMatch(/^ferry_csrf=/);
    expect(String(res.headers['set-cookie'])).toMatch(/HttpOnly; SameSite=Strict/);
    expect(token.length).toBeGreaterThan(20);
    for (const m of [
      'rzb_ro_domestic_sandbox',
      'bt_ro_ron_sandbox',
      'bt_ro_instant_sandbox',
      'cec_ro_ron_sandbox',
    ]) {
      expect(res.body).toContain(`value="${m}"`);
    }
    expect(await history(link.link_id)).toEqual(['created', 'started']);
    // Opening again changes nothing.
    await open(link.web_id);
    expect(await history(link.link_id)).toEqual(['created', 'started']);
  });

  it('refuses a POST without a valid CSRF token', async () => {
    const link = await createLink();
    const { cookie, token } = await open(link.web_id);
    const none = await post(link.web_id, 'pay', cookie, { method_id: 'bt_ro_ron_sandbox' });
    expect(none.statusCode).toBe(403);
    const noCookie = await post(link.web_id, 'pay', '', { csrf: token, method_id: 'bt_ro_ron_sandbox' });
    expect(noCookie.statusCode).toBe(403);
    const other = await createLink();
    const o = await open(other.web_id);
    const crossLink = await post(link.web_id, 'pay', o.cookie, {
      csrf: o.token,
      method_id: 'bt_ro_ron_sandbox',
    });
    expect(crossLink.statusCode).toBe(403);
    expect(await statusOf(link.link_id)).toBe('started');
  });

  it('pays with rzb_ro: asks for IBAN/PSU ID, goes to the bank, returns, polls to completed', async () => {
    const link = await createLink({ options: { redirect_url: 'https://shop.example/thanks?order=9' } });
    const { res, cookie, token } = await open(link.web_id);
    expect(res.body).toContain('name="debtor_iban.rzb_ro_domestic_sandbox"');
    expect(res.body).toContain('name="psu_id.rzb_ro_domestic_sandbox"');
    // Neither input: the method needs one of them.
    const missing = await post(link.web_id, 'pay', cookie, {
      csrf: token,
      method_id: 'rzb_ro_domestic_sandbox',
    });
    expect(missing.statusCode).toBe(400);
    expect(missing.body).toContain('role="alert"');
    expect(missing.body).toContain(translator('ro')('error.code.method_input_validation_error'));
    expect(await statusOf(link.link_id)).toBe('started');
    const bad = await post(link.web_id, 'pay', cookie, {
      csrf: token,
      method_id: 'rzb_ro_domestic_sandbox',
      'debtor_iban.rzb_ro_domestic_sandbox': 'RO03RZBR0000069999999990',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('value="RO03RZBR0000069999999990"');
    expect(bad.body).toContain(translator('ro')('error.code.validation_error'));
    const ok = await post(link.web_id, 'pay', cookie, {
      csrf: token,
      method_id: 'rzb_ro_domestic_sandbox',
      'debtor_iban.rzb_ro_domestic_sandbox': 'RO03 RZBR 0000 0699 9999 9999',
    });
    expect(ok.statusCode).toBe(200);
    const target = metaTarget(ok);
    expect(target).toMatch(/^https:\/\/bank\.example\/sca\/pay-\d+$/);
    const paymentId = target!.split('/').pop()!;
    expect(bank.payments.get(paymentId)!.input).toMatchObject({
      debtorIban: 'RO03RZBR0000069999999999',
      redirectUri: `http://ferry.test/pay/${link.web_id}/return`,
      nokRedirectUri: `http://ferry.test/pay/${link.web_id}/return?outcome=nok`,
    });
    expect(await history(link.link_id)).toEqual([
      'created',
      'started',
      'requested',
      'intent_accepted',
      'awaiting_authz',
    ]);

    // The payer authorises at the bank and comes back.
    bank.setPaymentStatus(paymentId, 'ACTC');
    const back = await t.app.inject({ method: 'GET', url: `/pay/${link.web_id}/return` });
    expect(back.statusCode).toBe(303);
    expect(back.headers.location).toBe(`/pay/${link.web_id}`);
    expect(await statusOf(link.link_id)).toBe('submitted');
    const page = await open(link.web_id);
    expect(page.res.body).toContain('data-status="submitted"');

    // The bank settles; the poller notices.
    bank.setPaymentStatus(paymentId, 'ACSC');
    clock.advance(5_000);
    expect(await t.services.pay.flow.pollDue()).toBeGreaterThanOrEqual(1);
    expect(await statusOf(link.link_id)).toBe('completed');
    const done = await open(link.web_id);
    expect(done.res.body).toContain('data-status="completed"');
    const back2 = /data-s="back" href="([^"]+)"/.exec(done.res.body)?.[1]?.replace(/&amp;/g, '&');
    const url = new URL(back2!);
    expect(url.origin + url.pathname).toBe('https://shop.example/thanks');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      order: '9',
      link_id: link.link_id,
      web_id: link.web_id,
      status: 'completed',
    });
    const events = await t.store.db
      .selectFrom('webhook_events')
      .select('body')
      .where('object_id', '=', link.link_id)
      .orderBy('created_at')
      .execute();
    expect(events.map((e) => JSON.parse(e.body).status)).toEqual([
      'started',
      'requested',
      'intent_accepted',
      'awaiting_authz',
      'submitted',
      'completed',
    ]);
    // The bank calls are the link's in the bank call log (the operator console's link page).
    await t.services.bankCalls.flush();
    const calls = await t.services.bankCalls.of(link.link_id);
    expect(calls.map((c) => [c.provider_id, c.operation, c.outcome, c.subject_kind])).toEqual([
      ['rzb_ro', 'createPayment', 'ok', 'link'],
      ...calls.slice(1).map(() => ['rzb_ro', 'getPaymentStatus', 'ok', 'link']),
    ]);
    expect(calls.length).toBeGreaterThanOrEqual(3);
  });

  it('does not ask for inputs the API already sent', async () => {
    const link = await createLink({ payment_method: { provider_id: 'rzb_ro' } }, { psu_id: '9999999998' });
    const { res, cookie, token } = await open(link.web_id);
    expect(res.body).not.toContain('name="psu_id.rzb_ro_domestic_sandbox"');
    // debtor_iban is one_of with psu_id, which the API sent: the page may still offer it, but it is optional.
    const ok = await post(link.web_id, 'pay', cookie, { csrf: token, method_id: 'rzb_ro_domestic_sandbox' });
    expect(ok.statusCode).toBe(200);
    const paymentId = metaTarget(ok)!.split('/').pop()!;
    expect(bank.payments.get(paymentId)!.input.psuId).toBe('9999999998');
  });

  it('a denied SCA (nok return) fails the payment', async () => {
    const link = await createLink();
    const { cookie, token } = await open(link.web_id);
    const ok = await post(link.web_id, 'pay', cookie, { csrf: token, method_id: 'bt_ro_ron_sandbox' });
    const paymentId = metaTarget(ok)!.split('/').pop()!;
    bank.setPaymentStatus(paymentId, 'RJCT');
    await t.app.inject({ method: 'GET', url: `/pay/${link.web_id}/return?outcome=nok` });
    expect(await statusOf(link.link_id)).toBe('failed');
    const page = await open(link.web_id);
    expect(page.res.body).toContain('data-status="failed"');
  });

  it('a nok return while the bank still says RCVD fails it too', async () => {
    const link = await createLink();
    const { cookie, token } = await open(link.web_id);
    await post(link.web_id, 'pay', cookie, { csrf: token, method_id: 'cec_ro_ron_sandbox' });
    await t.app.inject({ method: 'GET', url: `/pay/${link.web_id}/return?outcome=nok` });
    expect(await statusOf(link.link_id)).toBe('failed');
  });

  it('an ok return with RCVD is `received`; a bank refusal at Pay returns to `started` and may be retried', async () => {
    const link = await createLink();
    const { cookie, token } = await open(link.web_id);
    bank.fail('createPayment', formatRefusal);
    const refused = await post(link.web_id, 'pay', cookie, { csrf: token, method_id: 'bt_ro_ron_sandbox' });
    expect(refused.statusCode).toBe(400);
    // Translated, with the bank's own code kept for support; not the API's English message.
    expect(refused.body).toContain(translator('ro')('error.bank.refused'));
    expect(refused.body).toContain('Cod bancă: FORMAT_ERROR');
    expect(refused.body).not.toContain('The bank refused the payment');
    expect(await history(link.link_id)).toEqual(['created', 'started', 'requested', 'started']);
    const ok = await post(link.web_id, 'pay', cookie, { csrf: token, method_id: 'bt_ro_ron_sandbox' });
    expect(ok.statusCode).toBe(200);
    await t.app.inject({ method: 'GET', url: `/pay/${link.web_id}/return` });
    expect(await statusOf(link.link_id)).toBe('received');
  });

  it('a second Pay on a link already at the bank is refused', async () => {
    const link = await createLink();
    const { cookie, token } = await open(link.web_id);
    await post(link.web_id, 'pay', cookie, { csrf: token, method_id: 'bt_ro_ron_sandbox' });
    const again = await post(link.web_id, 'pay', cookie, { csrf: token, method_id: 'bt_ro_ron_sandbox' });
    expect(again.statusCode).toBe(400);
    expect(await statusOf(link.link_id)).toBe('awaiting_authz');
  });

  it('polls with backoff while the bank is down, then catches up', async () => {
    const link = await createLink();
    const { cookie, token } = await open(link.web_id);
    const ok = await post(link.web_id, 'pay', cookie, { csrf: token, method_id: 'bt_ro_ron_sandbox' });
    const paymentId = metaTarget(ok)!.split('/').pop()!;
    const nextPoll = async () =>
      await t.store.db
        .selectFrom('pay_links')
        .select(['next_poll_at', 'poll_attempts'])
        .where('id', '=', link.link_id)
        .executeTakeFirstOrThrow();
    bank.fail('getPaymentStatus', { kind: 'unavailable', httpStatus: 503 }, 3);
    const gaps: number[] = [];
    for (let i = 0; i < 3; i++) {
      const before = await nextPoll();
      clock.set(before.next_poll_at!);
      await t.services.pay.flow.pollDue(100);
      const after = await nextPoll();
      gaps.push(after.next_poll_at!.getTime() - clock.now().getTime());
      expect(after.poll_attempts).toBe(before.poll_attempts + 1);
    }
    expect(gaps[1]).toBeGreaterThan(gaps[0]!);
    expect(gaps[2]).toBeGreaterThan(gaps[1]!);
    bank.setPaymentStatus(paymentId, 'ACSP');
    clock.set((await nextPoll()).next_poll_at!);
    await t.services.pay.flow.pollDue(100);
    expect(await statusOf(link.link_id)).toBe('completed');
    expect((await nextPoll()).next_poll_at).toBeNull();
  });

  it('a payment never authorised at the bank fails after the SCA window', async () => {
    const link = await createLink();
    const { cookie, token } = await open(link.web_id);
    await post(link.web_id, 'pay', cookie, { csrf: token, method_id: 'bt_ro_ron_sandbox' });
    clock.advance(30 * 60_000);
    await t.services.pay.flow.pollDue(100);
    expect(await statusOf(link.link_id)).toBe('awaiting_authz');
    clock.advance(31 * 60_000);
    await t.services.pay.flow.pollDue(100);
    expect(await statusOf(link.link_id)).toBe('failed');
  });

  it('two pollers never claim the same link at once', async () => {
    const link = await createLink();
    const { cookie, token } = await open(link.web_id);
    await post(link.web_id, 'pay', cookie, { csrf: token, method_id: 'bt_ro_ron_sandbox' });
    clock.advance(2_000);
    const { claimDuePolls } = await import('./links.repository.js');
    const [a, b] = await Promise.all([
      claimDuePolls(t.store.db, clock.now(), 100, 60_000),
      claimDuePolls(t.store.db, clock.now(), 100, 60_000),
    ]);
    const ids = [...a, ...b].map((r) => r.id).filter((id) => id === link.link_id);
    expect(ids).toHaveLength(1);
  });

  it('wrapped_sca: the page offers to continue to the bank', async () => {
    const link = await createLink({
      payment_method: { provider_id: 'bt_ro' },
      options: { type: 'wrapped_sca' },
    });
    const { res, cookie, token } = await open(link.web_id);
    expect(res.body).toContain(`action="/pay/${link.web_id}/authorize"`);
    expect(res.body).not.toContain('name="method_id"');
    const go = await post(link.web_id, 'authorize', cookie, { csrf: token });
    expect(go.statusCode).toBe(200);
    expect(metaTarget(go)).toMatch(/^https:\/\/bank\.example\/sca\//);
    expect(await statusOf(link.link_id)).toBe('awaiting_authz');
  });

  it('shows expired, revoked and unknown links, and refuses to pay an expired one', async () => {
    const expired = await createLink({ options: { expires_in: 60 } });
    const first = await open(expired.web_id);
    clock.advance(61_000);
    const page = await open(expired.web_id);
    expect(page.res.body).toContain('data-final="1"');
    expect(page.res.body).toMatch(/Link expirat|Link expired/);
    const pay = await post(expired.web_id, 'pay', first.cookie, {
      csrf: first.token,
      method_id: 'bt_ro_ron_sandbox',
    });
    expect(pay.statusCode).toBe(400);
    // The page's language (ro here), not the API's English message.
    expect(pay.body).toContain(translator('ro')('error.code.link_expired'));
    expect(pay.body).not.toContain('This payment link has expired.');

    const revoked = await createLink();
    await api('/links/cancel', { link_id: revoked.link_id });
    const r = await open(revoked.web_id, '?lang=en');
    expect(r.res.body).toContain('Payment cancelled');

    const unknown = await t.app.inject({ method: 'GET', url: '/pay/AAAAAAAAAAAAAAAAAAAAAA' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.headers['content-type']).toMatch(/text\/html/);
    const bad = await t.app.inject({ method: 'GET', url: '/pay/..%2F..%2Fetc' });
    expect(bad.statusCode).toBe(404);
  });

  it('filters the bank list by payment_method, widened by user_editable', async () => {
    const only = await createLink({ payment_method: { provider_id: 'bt_ro' } });
    const a = await open(only.web_id);
    expect(a.res.body).toContain('value="bt_ro_ron_sandbox"');
    expect(a.res.body).not.toContain('value="cec_ro_ron_sandbox"');
    const open2 = await createLink({
      payment_method: { provider_id: 'bt_ro' },
      options: { user_editable: true },
    });
    const b = await open(open2.web_id);
    expect(b.res.body).toContain('value="cec_ro_ron_sandbox"');
    const scheme = await createLink({ payment_method: { payment_scheme: 'instant' } });
    const c = await open(scheme.web_id);
    expect(c.res.body).toContain('value="bt_ro_instant_sandbox"');
    expect(c.res.body).not.toContain('value="bt_ro_ron_sandbox"');
  });

  it('speaks Romanian or English: ?lang, the link option, then Accept-Language', async () => {
    const link = await createLink();
    expect((await open(link.web_id)).res.body).toContain('<html lang="ro">');
    expect((await open(link.web_id, '?lang=en')).res.body).toContain('<html lang="en">');
    const en = await t.app.inject({
      method: 'GET',
      url: `/pay/${link.web_id}`,
      headers: { 'accept-language': 'en-GB,en;q=0.9' },
    });
    expect(en.body).toContain('<html lang="en">');
    expect(en.body).toContain('Choose your bank');
    const chosen = await createLink({ options: { language: 'en' } });
    const c = await t.app.inject({
      method: 'GET',
      url: `/pay/${chosen.web_id}`,
      headers: { 'accept-language': 'ro' },
    });
    expect(c.body).toContain('<html lang="en">');
    expect((await open(link.web_id)).res.body).toContain('Alege banca ta');
    expect((await open(link.web_id)).res.body).toContain('25,00 RON');
  });

  it('answers a malformed post with an HTML page, not the API envelope', async () => {
    const link = await createLink();
    const res = await t.app.inject({
      method: 'POST',
      url: `/pay/${link.web_id}/pay`,
      headers: { 'content-type': 'text/plain' },
      payload: 'hello',
    });
    expect(res.statusCode).toBe(415);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
  });

  it('serves a QR code of the link as SVG', async () => {
    const link = await createLink();
    const res = await t.app.inject({ method: 'GET', url: `/pay/${link.web_id}/qr.svg` });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^image\/svg\+xml/);
    expect(res.body).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect(res.body).toMatch(/<path fill="#000" d="M/);
    expect(res.body.length).toBeLessThan(12_000);
  });

  it('status endpoint answers the page script’s polling fallback', async () => {
    const link = await createLink();
    const res = await t.app.inject({ method: 'GET', url: `/pay/${link.web_id}/status?lang=en` });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'created', final: false, title: 'Waiting for payment' });
  });

  describe('bank notifications (funds confirmation)', () => {
    const notify = (providerId: string, body: Record<string, unknown>, sig?: string) => {
      const text = JSON.stringify(body);
      const secret = bankNotificationSecret(t.services.pay.notificationKey, providerId);
      return t.app.inject({
        method: 'POST',
        url: `/bank-notifications/${providerId}`,
        headers: {
          'content-type': 'application/json',
          'x-bank-signature':
            sig ?? signBankNotification(secret, text, Math.floor(clock.now().getTime() / 1000)),
        },
        payload: text,
      });
    };
    const paidLink = async () => {
      const link = await createLink();
      const { cookie, token } = await open(link.web_id);
      const ok = await post(link.web_id, 'pay', cookie, { csrf: token, method_id: 'bt_ro_ron_sandbox' });
      return { link, paymentId: metaTarget(ok)!.split('/').pop()! };
    };

    it('funds_received after completed; v1 still reads completed', async () => {
      const { link, paymentId } = await paidLink();
      bank.setPaymentStatus(paymentId, 'ACSC');
      await t.app.inject({ method: 'GET', url: `/pay/${link.web_id}/return` });
      expect(await statusOf(link.link_id)).toBe('completed');
      const res = await notify('bt_ro', { payment_id: paymentId, event: 'funds_received' });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ link_id: link.link_id, status: 'funds_received' });
      expect(await statusOf(link.link_id)).toBe('funds_received');
    });

    it('a credit before Ferry saw completion completes the link first', async () => {
      const { link, paymentId } = await paidLink();
      const res = await notify('bt_ro', { payment_id: paymentId, event: 'funds_rejected' });
      expect(res.statusCode).toBe(200);
      expect((await history(link.link_id)).slice(-2)).toEqual(['completed', 'funds_rejected']);
    });

    it('rejects bad, stale or foreign signatures and unknown payments', async () => {
      const { paymentId } = await paidLink();
      const bad = await notify('bt_ro', { payment_id: paymentId, event: 'funds_received' }, 't=1,v1=00');
      expect(bad.statusCode).toBe(401);
      const secret = bankNotificationSecret(t.services.pay.notificationKey, 'bt_ro');
      const body = { payment_id: paymentId, event: 'funds_received' };
      const stale = signBankNotification(
        secret,
        JSON.stringify(body),
        Math.floor(clock.now().getTime() / 1000) - 600,
      );
      expect((await notify('bt_ro', body, stale)).statusCode).toBe(401);
      const otherBank = signBankNotification(
        bankNotificationSecret(t.services.pay.notificationKey, 'cec_ro'),
        JSON.stringify(body),
        Math.floor(clock.now().getTime() / 1000),
      );
      expect((await notify('bt_ro', body, otherBank)).statusCode).toBe(401);
      expect((await notify('bt_ro', { payment_id: 'nope', event: 'funds_received' })).statusCode).toBe(404);
      expect((await notify('bt_ro', { payment_id: paymentId, event: 'credited' })).statusCode).toBe(400);
    });
  });
});
