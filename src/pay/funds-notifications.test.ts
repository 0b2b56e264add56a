import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { dumpOfEveryTable } from '../../test/support/db-dump.js';
import { freePort } from '../../test/support/free-port.js';
import { createTestApp, csrfOf, type TestApp } from '../../test/support/test-app.js';
import { driveSca, seedCredentials } from '../sandbox-bank/test-support/sca-driver.js';
import { ManualClock } from '../shared/clock.js';
import { type RunningWorker, startWorker } from '../worker/index.js';

/**
 * Funds confirmation end to end: Ferry's app on a real port with its mounted sandbox bank, the worker running
 * (pay polling, the sandbox bank's notification loop). The payer pays through the bank's SCA pages; when the
 * payment settles, the sandbox bank itself posts the signed notification. The test never calls
 * /bank-notifications. Time is a hand-moved clock; the loops tick in real time.
 */
describe('the sandbox bank confirms or rejects the credit on its own', () => {
  let t: TestApp;
  let worker: RunningWorker;
  let base: string;
  let creds: { client_id: string; client_secret: string };
  const clock = new ManualClock('2026-04-02T08:00:00Z');
  /** How many of the next notifications arrive with a signature that does not verify. */
  let spoilSignatures = 0;

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    t = await createTestApp({
      clock,
      env: { PUBLIC_URL: base },
      routes: (app) =>
        app.addHook('onRequest', async (req) => {
          if (req.url.startsWith('/bank-notifications/') && spoilSignatures > 0) {
            spoilSignatures -= 1;
            req.headers['x-bank-signature'] =
              `t=${Math.floor(clock.now().getTime() / 1000)},v1=${'0'.repeat(64)}`;
          }
        }),
    });
    await t.app.listen({ port, host: '127.0.0.1' });
    worker = await startWorker(t.services);
    const c = await t.client({ name: 'Funds Shop' });
    creds = { client_id: c.clientId, client_secret: c.clientSecret };
  });
  afterAll(async () => {
    await worker?.stop();
    await t?.close();
  });

  const api = async (path: string, body: Record<string, unknown>) =>
    (await t.call(`/test${path}`, body, creds)).body;
  const linkOf = async (linkId: string) => {
    const got = await api('/links/get', { link_id: linkId });
    return {
      status: got.status as string,
      history: (got.status_history as { status: string }[]).map((h) => h.status),
    };
  };
  const notificationOf = (paymentId: string) =>
    t.store.db
      .selectFrom('sandbox_bank.notifications')
      .selectAll()
      .where('payment_id', '=', paymentId)
      .executeTakeFirstOrThrow();
  const webhookStatuses = async (linkId: string) =>
    (
      await t.store.db
        .selectFrom('webhook_events')
        .select(['type', 'body'])
        .where('object_id', '=', linkId)
        // The object's own order: two events of one change share created_at under the manual clock.
        .orderBy('sequence')
        .execute()
    ).map((e) => `${e.type}:${(JSON.parse(e.body) as { status: string }).status}`);

  /** Creates a link, pays it at bt_ro through the SCA pages, and comes back to Ferry; returns the bank's id. */
  async function pay(creditorIban: string) {
    const link = (await api('/links/create', {
      single_transfer: {
        amount: '19.90',
        currency: 'RON',
        creditor_name: 'Funds Shop SRL',
        creditor_iban: creditorIban,
      },
      payment_method: { provider_id: 'bt_ro' },
    })) as { link_id: string; web_id: string };
    const page = await t.app.inject({ method: 'GET', url: `/pay/${link.web_id}` });
    const cookie = String(page.headers['set-cookie'] ?? '').split(';')[0]!;
    const csrf = csrfOf(page.body);
    const pressed = await t.app.inject({
      method: 'POST',
      url: `/pay/${link.web_id}/pay`,
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
      payload: new URLSearchParams({ csrf, method_id: 'bt_ro_ron_sandbox' }).toString(),
    });
    const sca = /<meta http-equiv="refresh" content="0;url=([^"]+)">/
      .exec(pressed.body)?.[1]
      ?.replaceAll('&amp;', '&');
    expect(sca?.startsWith(`${base}/sandbox-bank/bt_ro/sca/`), pressed.body.slice(0, 1000)).toBe(true);
    const run = await driveSca(sca!, { credentials: seedCredentials.bt_ro, decision: 'approve' });
    expect(run.finalUrl?.startsWith(`${base}/pay/${link.web_id}/return`)).toBe(true);
    const back = await request(run.finalUrl!);
    await back.body.dump();
    const row = await t.store.db
      .selectFrom('pay_links')
      .select(['bank_payment_id'])
      .where('id', '=', link.link_id)
      .executeTakeFirstOrThrow();
    return { linkId: link.link_id, paymentId: t.services.secretBox.open(row.bank_payment_id!) };
  }

  const settle = () => clock.advance(5_000);

  it('a credit to an ordinary account: the link ends funds_received, with its webhook events', async () => {
    const { linkId, paymentId } = await pay('RO10RZBR0000069999999970');
    expect((await notificationOf(paymentId)).outcome).toBeNull();
    expect((await linkOf(linkId)).status).not.toBe('funds_received');
    settle();
    await expect.poll(async () => (await linkOf(linkId)).status, { timeout: 20_000 }).toBe('funds_received');
    const { history } = await linkOf(linkId);
    expect(history.slice(-2)).toEqual(['completed', 'funds_received']);
    // Ferry answers (and the link moves) before the bank writes the outcome down: wait for that too.
    await expect
      .poll(() => notificationOf(paymentId), { timeout: 20_000 })
      .toMatchObject({
        bank: 'bt_ro',
        event: 'funds_received',
        attempts: 1,
        outcome: 'delivered',
        last_status: 200,
        last_error: null,
        sent_at: clock.now(),
      });
    const events = await webhookStatuses(linkId);
    expect(events.slice(-2)).toEqual(['link_status_update:completed', 'link_status_update:funds_received']);
    expect(events.every((e) => e.startsWith('link_status_update:'))).toBe(true);
  });

  it("the bank's payment id is not at rest in plain, and the bank's notification still finds the link", async () => {
    const { linkId, paymentId } = await pay('RO10RZBR0000069999999970');
    const dump = await dumpOfEveryTable(t.store.db);
    expect(dump).toContain(linkId);
    expect(dump).not.toContain(paymentId);
    settle();
    await expect.poll(async () => (await linkOf(linkId)).status, { timeout: 20_000 }).toBe('funds_received');
  });

  it('a link written before sealing (the plain id, no lookup key) is still polled and found', async () => {
    const { linkId, paymentId } = await pay('RO10RZBR0000069999999970');
    await t.store.db
      .updateTable('pay_links')
      .set({ bank_payment_id: paymentId, bank_payment_key: null })
      .where('id', '=', linkId)
      .execute();
    settle();
    await expect.poll(async () => (await linkOf(linkId)).status, { timeout: 20_000 }).toBe('funds_received');
  });

  it('a credit to the blocked account (RO85CECEAG0202RON0007468): the link ends funds_rejected', async () => {
    const { linkId, paymentId } = await pay('RO85CECEAG0202RON0007468');
    settle();
    await expect.poll(async () => (await linkOf(linkId)).status, { timeout: 20_000 }).toBe('funds_rejected');
    expect((await linkOf(linkId)).history.slice(-2)).toEqual(['completed', 'funds_rejected']);
    await expect
      .poll(() => notificationOf(paymentId), { timeout: 20_000 })
      .toMatchObject({
        event: 'funds_rejected',
        reason: 'The creditor account is blocked (AC06).',
        outcome: 'delivered',
        attempts: 1,
      });
    expect((await webhookStatuses(linkId)).slice(-2)).toEqual([
      'link_status_update:completed',
      'link_status_update:funds_rejected',
    ]);
  });

  it('a signature Ferry does not accept, then a 5xx from Ferry, are retried until it goes through', async () => {
    const { linkId, paymentId } = await pay('RO10RZBR0000069999999970');
    spoilSignatures = 1;
    const flow = t.services.pay.flow;
    const failing = vi
      .spyOn(flow, 'fundsNotification')
      .mockRejectedValueOnce(new Error('the database went away'));
    try {
      settle();
      const settledAt = clock.now().getTime();
      // A claimed row already counts its attempt (and holds a lease) before the answer is written: wait for the
      // answer itself, not just the count.
      await expect
        .poll(() => notificationOf(paymentId), { timeout: 20_000 })
        .toMatchObject({
          attempts: 1,
          outcome: null,
          last_status: 401,
          due_at: new Date(settledAt + 1_000),
        });
      expect(failing).not.toHaveBeenCalled();
      clock.advance(1_000);
      await expect
        .poll(() => notificationOf(paymentId), { timeout: 20_000 })
        .toMatchObject({
          attempts: 2,
          outcome: null,
          last_status: 500,
          due_at: new Date(settledAt + 3_000),
        });
      expect(failing).toHaveBeenCalledTimes(1);
      expect((await linkOf(linkId)).status).not.toBe('funds_received');
      clock.advance(2_000);
      await expect
        .poll(async () => (await linkOf(linkId)).status, { timeout: 20_000 })
        .toBe('funds_received');
      await expect
        .poll(() => notificationOf(paymentId), { timeout: 20_000 })
        .toMatchObject({
          attempts: 3,
          outcome: 'delivered',
          last_status: 200,
        });
      expect(failing).toHaveBeenCalledTimes(2);
    } finally {
      failing.mockRestore();
    }
  });
});
