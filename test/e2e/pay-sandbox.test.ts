import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BANK_SIGNATURE_HEADER, bankNotificationSecret, signBankNotification } from '../../src/pay/index.js';
import {
  driveSca,
  type ScaCredentials,
  seedCredentials,
} from '../../src/sandbox-bank/test-support/sca-driver.js';
import { csrfOf } from '../support/csrf.js';
import { parseMetrics, seriesValue } from '../support/prometheus.js';
import { type Stack, startStack } from '../support/stack.js';

/**
 * The whole payment over real HTTP, without a browser: the API creates the link, the hosted page takes the
 * payer's choice, the sandbox bank (mounted in Ferry, reached through the NextGenPSD2 connector) runs its SCA
 * pages, and Ferry follows the payment to its final status.
 */
describe('pay end to end through the sandbox bank (HTTP)', () => {
  let s: Stack;
  beforeAll(async () => {
    s = await startStack();
  });
  afterAll(() => s?.close());

  const single = (over: Record<string, unknown> = {}) => ({
    amount: '42.10',
    currency: 'RON',
    creditor_name: 'Ferry Test Shop',
    creditor_iban: 'RO10RZBR0000069999999970',
    remittance_info: 'Order 77',
    ...over,
  });

  async function openPage(webUrl: string) {
    const res = await request(webUrl);
    const body = await res.body.text();
    expect(res.statusCode).toBe(200);
    const cookie = String(res.headers['set-cookie'] ?? '').split(';')[0]!;
    const token = csrfOf(body);
    return { body, cookie, token };
  }

  async function pressPay(webUrl: string, form: Record<string, string>) {
    const page = await openPage(webUrl);
    const res = await request(`${webUrl}/pay`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: page.cookie },
      body: new URLSearchParams({ csrf: page.token, ...form }).toString(),
    });
    const body = await res.body.text();
    expect(res.statusCode, body.slice(0, 2000)).toBe(200);
    const sca = /<meta http-equiv="refresh" content="0;url=([^"]+)">/
      .exec(body)?.[1]
      ?.replaceAll('&amp;', '&');
    expect(sca).toBeTruthy();
    return sca!;
  }

  async function payThrough(
    link: { web_url: string; link_id: string; web_id: string },
    methodId: string,
    credentials: ScaCredentials,
    decision: 'approve' | 'deny',
    form: Record<string, string> = {},
    options: { returnToFerry?: boolean } = {},
  ) {
    const sca = await pressPay(link.web_url, { method_id: methodId, ...form });
    expect(sca.startsWith(`${s.url}/sandbox-bank/`)).toBe(true);
    const run = await driveSca(sca, { credentials, decision });
    expect(run.finalUrl, run.pages.at(-1)?.slice(0, 1500)).toBeTruthy();
    expect(run.finalUrl!.startsWith(`${s.url}/pay/${link.web_id}/return`)).toBe(true);
    if (options.returnToFerry !== false) {
      const back = await request(run.finalUrl!);
      expect(back.statusCode).toBe(303);
      await back.body.dump();
    }
    return run;
  }

  const create = async (body: Record<string, unknown>) => {
    const res = await s.api('/links/create', body);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body as { web_url: string; link_id: string; web_id: string };
  };

  it('bt_ro: approve → completed, with the whole history', async () => {
    const link = await create({ single_transfer: single(), payment_method: { provider_id: 'bt_ro' } });
    await payThrough(link, 'bt_ro_ron_sandbox', seedCredentials.bt_ro, 'approve');
    const done = await s.waitForLink(link.link_id, 'completed');
    expect((done.status_history as { status: string }[]).map((h) => h.status)).toEqual([
      'created',
      'started',
      'requested',
      'intent_accepted',
      'awaiting_authz',
      'submitted',
      'completed',
    ]);
    expect(done.service_provider).toMatchObject({ provider_id: 'bt_ro' });
    // Every bank call is in /metrics by provider, operation and outcome.
    const metrics = parseMetrics(await s.services.metrics.text());
    const calls = (operation: string) =>
      seriesValue(metrics, 'ferry_bank_call_duration_seconds', {
        provider: 'bt_ro',
        operation,
        outcome: 'ok',
      });
    expect(calls('createPayment')).toBeGreaterThanOrEqual(1);
    expect(calls('getPaymentStatus')).toBeGreaterThanOrEqual(1);
  });

  it('cec_ro (signed requests): approve → completed', async () => {
    const link = await create({ single_transfer: single() });
    await payThrough(link, 'cec_ro_ron_sandbox', seedCredentials.cec_ro, 'approve');
    await s.waitForLink(link.link_id, 'completed');
  });

  it('rzb_ro, PSU ID and debtor IBAN sent by the API → completed', async () => {
    const link = await create({
      single_transfer: single({ debtor_iban: 'RO03RZBR0000069999999999', psu_id: '9999999998' }),
      payment_method: { provider_id: 'rzb_ro' },
    });
    const page = await openPage(link.web_url);
    expect(page.body).not.toContain('name="psu_id.rzb_ro_domestic_sandbox"');
    expect(page.body).not.toContain('name="debtor_iban.rzb_ro_domestic_sandbox"');
    await payThrough(link, 'rzb_ro_domestic_sandbox', seedCredentials.rzb_ro, 'approve');
    await s.waitForLink(link.link_id, 'completed');
  });

  it('rzb_ro, IBAN and PSU ID typed by the payer on the page → completed', async () => {
    const link = await create({ single_transfer: single() });
    await payThrough(link, 'rzb_ro_domestic_sandbox', seedCredentials.rzb_ro, 'approve', {
      'debtor_iban.rzb_ro_domestic_sandbox': 'RO03 RZBR 0000 0699 9999 9999',
      'psu_id.rzb_ro_domestic_sandbox': '9999999998',
    });
    await s.waitForLink(link.link_id, 'completed');
  });

  it('a denied payment ends failed', async () => {
    const link = await create({ single_transfer: single() });
    await payThrough(link, 'bt_ro_ron_sandbox', seedCredentials.bt_ro, 'deny');
    await s.waitForLink(link.link_id, 'failed');
  });

  it('a payer who never comes back from the bank still ends completed (Ferry polls)', async () => {
    const link = await create({ single_transfer: single() });
    await payThrough(
      link,
      'bt_ro_instant_sandbox',
      seedCredentials.bt_ro,
      'approve',
      {},
      { returnToFerry: false },
    );
    await s.waitForLink(link.link_id, 'completed');
  });

  it('wrapped_sca and redirect_sca get their SCA URL from the sandbox at creation', async () => {
    const wrapped = await create({
      single_transfer: single(),
      payment_method: { provider_id: 'bt_ro' },
      options: { type: 'wrapped_sca' },
    });
    expect(wrapped.web_url).toBe(`${s.url}/pay/${wrapped.web_id}`);
    const redirect = (
      await s.api('/links/create', {
        single_transfer: single(),
        payment_method: { provider_id: 'bt_ro' },
        options: { type: 'redirect_sca' },
      })
    ).body as { web_url: string; link_id: string; web_id: string };
    expect(redirect.web_url.startsWith(`${s.url}/sandbox-bank/bt_ro/`)).toBe(true);
    const run = await driveSca(redirect.web_url, { credentials: seedCredentials.bt_ro, decision: 'approve' });
    expect(run.finalUrl!.startsWith(`${s.url}/pay/${redirect.web_id}/return`)).toBe(true);
    await (await request(run.finalUrl!)).body.dump();
    await s.waitForLink(redirect.link_id, 'completed');
  });

  it('the creditor bank confirms the credit over the signed notification endpoint → funds_received', async () => {
    const link = await create({ single_transfer: single() });
    await payThrough(link, 'bt_ro_ron_sandbox', seedCredentials.bt_ro, 'approve');
    await s.waitForLink(link.link_id, 'completed');
    const row = await s.store.db
      .selectFrom('pay_links')
      .select(['bank_payment_id', 'provider_id'])
      .where('id', '=', link.link_id)
      .executeTakeFirstOrThrow();
    const paymentId = s.services.secretBox.open(row.bank_payment_id!);
    const body = JSON.stringify({ payment_id: paymentId, event: 'funds_received' });
    const secret = bankNotificationSecret(s.services.pay.notificationKey, row.provider_id!);
    const res = await request(`${s.url}/bank-notifications/${row.provider_id}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [BANK_SIGNATURE_HEADER]: signBankNotification(secret, body, Math.floor(Date.now() / 1000)),
      },
      body,
    });
    expect(res.statusCode).toBe(200);
    await res.body.dump();
    const v2 = await s.api('/links/get', { link_id: link.link_id });
    expect(v2.body.status).toBe('funds_received');
  });

  it('cancel after the bank created the payment cancels it at the bank', async () => {
    const link = await create({
      single_transfer: single(),
      payment_method: { provider_id: 'bt_ro' },
      options: { type: 'wrapped_sca' },
    });
    const res = await s.api('/links/cancel', { link_id: link.link_id });
    expect(res.body.status).toBe('revoked');
  });
});
