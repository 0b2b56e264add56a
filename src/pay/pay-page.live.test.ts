import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEvents } from '../../test/support/sse.js';
import { createTestApp, type TestApp } from '../../test/support/test-app.js';
import { createFakeBank } from '../connectors/test-support/fake-bank.js';

const single_transfer = {
  amount: '5',
  currency: 'RON',
  creditor_name: 'X',
  creditor_iban: 'RO10RZBR0000069999999970',
};

describe('the pay page: live status over Server-Sent Events', () => {
  let t: TestApp;
  let base: string;
  let creds: { client_id: string; client_secret: string };
  beforeAll(async () => {
    t = await createTestApp({ connector: createFakeBank() });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    const c = await t.client();
    creds = { client_id: c.clientId, client_secret: c.clientSecret };
  });
  afterAll(() => t.close());

  const api = async (path: string, body: Record<string, unknown>) =>
    // biome-ignore lint/suspicious/noExplicitAny: a response body read field by field
    (await t.call<Record<string, any>>(`/test${path}`, body, creds)).body;

  it('pushes the current status, then each change made anywhere (NOTIFY), and ends when final', async () => {
    const link = await api('/links/create', { single_transfer });
    const { events, ended } = await readEvents(
      `${base}/pay/${link.web_id}/events?lang=en`,
      () => false,
      async () => {
        // Changes made through other paths (the page, the API) reach this stream through the database.
        await t.app.inject({ method: 'GET', url: `/pay/${link.web_id}` });
        await api('/links/cancel', { link_id: link.link_id });
      },
    );
    // Two changes in quick succession may reach the stream as one (it always sends the latest state).
    const seen = events.map((e) => e.status);
    expect(seen[0]).toBe('created');
    expect(seen.at(-1)).toBe('revoked');
    expect(['created,started,revoked', 'created,revoked']).toContain(seen.join(','));
    expect(events.at(-1)).toMatchObject({ final: true, title: 'Payment cancelled', ok: false });
    expect(ended).toBe(true);
  });

  it('answers an unknown link with 404, not a stream', async () => {
    const res = await fetch(`${base}/pay/AAAAAAAAAAAAAAAAAAAAAA/events`);
    expect(res.status).toBe(404);
  });

  it('closing the app ends open streams', async () => {
    const link = await api('/links/create', { single_transfer });
    const other = await createTestApp({ connector: createFakeBank() });
    await other.app.listen({ port: 0, host: '127.0.0.1' });
    const c = await other.client();
    const made = (
      await other.app.inject({
        method: 'POST',
        url: '/test/links/create',
        payload: {
          client_id: c.clientId,
          client_secret: c.clientSecret,
          single_transfer,
        },
      })
    ).json();
    const url = `http://127.0.0.1:${(other.app.server.address() as AddressInfo).port}/pay/${made.web_id}/events`;
    const started = Date.now();
    const { ended } = await readEvents(
      url,
      () => false,
      async () => {
        await other.close();
      },
    );
    expect(ended).toBe(true);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(link.web_id).toBeTruthy();
  });
});
