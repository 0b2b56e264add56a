import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCursorCodec } from '../../src/shared/cursor.js';
import { createWebhooksService, recordEvent, type WebhooksService } from '../../src/webhooks/index.js';
import { createWorkerRegistry } from '../../src/worker/index.js';
import { decisionOf, firstAttempts } from '../support/first-attempts.js';
import { refusedForLive, ssrfResolver } from '../support/ssrf-urls.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { startReceiver } from '../support/webhook-receiver.js';

/**
 * The SSRF guard on the delivery path: a live client's events aimed at internal addresses are refused before any
 * connection (and recorded as failed attempts), the connection goes to the address that was checked, and
 * redirects are never followed.
 */
let t: TestApp;
let webhooks: WebhooksService;
let trap: Awaited<ReturnType<typeof startReceiver>>;
let liveClient: string;
let testClient: string;

beforeAll(async () => {
  t = await createTestApp({
    env: { WEBHOOK_RETRY_SCHEDULE: '1s', WEBHOOK_TEST_RETRY_SCHEDULE: '1s', WEBHOOK_TIMEOUT_MS: '3000' },
  });
  // Names resolve through a stub: 'rebind.example' answers loopback here, and nothing at all in real DNS.
  webhooks = createWebhooksService({
    config: t.config,
    store: t.store,
    clock: t.services.clock,
    secretBox: t.services.secretBox,
    worker: createWorkerRegistry(),
    cursors: createCursorCodec(Buffer.alloc(32)),
    resolver: async (host) =>
      host === 'rebind.example' || host === 'trap.attacker.example'
        ? [{ address: '127.0.0.1', family: 4 }]
        : ssrfResolver(host),
  });
  await webhooks.keys.ensure();
  trap = await startReceiver();
  const live = await t.services.clients.create({
    name: 'Live shop',
    mode: 'live',
    webhookUrl: 'https://public.example/hook',
  });
  liveClient = live.client.id;
  const test = await t.services.clients.create({ name: 'Test shop', mode: 'test' });
  testClient = test.client.id;
});
afterAll(async () => {
  await webhooks?.close();
  await trap?.close();
  await t?.close();
});

let objects = 0;
/** An event of an object of its own (events of one object would wait for each other: they go out in order). */
async function eventTo(clientId: string, url: string): Promise<string> {
  objects += 1;
  return recordEvent(t.store.db, {
    type: 'link_status_update',
    clientId,
    objectId: `link-ssrf-${objects}`,
    payload: { link_id: 'link-ssrf', web_id: 'w', status: 'created' },
    url,
  });
}

describe('SSRF guard at delivery', () => {
  it(`refuses ${refusedForLive.length + 2} internal targets of a live client without connecting`, async () => {
    const urls = [
      ...refusedForLive,
      `https://127.0.0.1:${trap.port}/hook`,
      `https://trap.attacker.example:${trap.port}/hook`,
    ];
    const ids: string[] = [];
    for (const url of urls) ids.push(await eventTo(liveClient, url));
    // A name that does not resolve sends nothing either, but DNS can recover: it is retried, not failed.
    const unresolved = (url: string) => url.includes('nxdomain.');
    const reports = await firstAttempts(webhooks.delivery, ids);
    expect(reports.map((r) => decisionOf(r)?.outcome)).toEqual(
      urls.map((u) => (unresolved(u) ? 'retry' : 'failed')),
    );
    const attempts = await t.store.db
      .selectFrom('webhook_attempts')
      .selectAll()
      .where('event_id', 'in', ids)
      .execute();
    expect(attempts).toHaveLength(urls.length);
    expect(attempts.filter((a) => unresolved(a.url))).toHaveLength(1);
    for (const a of attempts) {
      if (unresolved(a.url)) {
        expect(a).toMatchObject({ outcome: 'retry', status_code: null, kid: null });
        expect(a.error).toBe('cannot resolve nxdomain.attacker.example: ENOTFOUND');
        continue;
      }
      expect(a, a.url).toMatchObject({ outcome: 'failed', status_code: null, latency_ms: 0, kid: null });
      expect(a.error, a.url).toMatch(/^refused: /);
    }
    const events = await t.store.db
      .selectFrom('webhook_events')
      .select(['state', 'url'])
      .where('id', 'in', ids)
      .execute();
    expect(events.map((e) => e.state)).toEqual(
      events.map((e) => (unresolved(e.url!) ? 'pending' : 'failed')),
    );
    expect(trap.received).toHaveLength(0);
  });

  it('connects to the checked address, not to a second resolution of the name', async () => {
    // 'rebind.example' does not exist in real DNS: the request can only arrive through the pinned address.
    const id = await eventTo(testClient, `http://rebind.example:${trap.port}/pinned`);
    const [report] = await firstAttempts(webhooks.delivery, [id]);
    expect(decisionOf(report!)).toEqual({ outcome: 'delivered' });
    expect(trap.received.at(-1)).toMatchObject({ path: '/pinned' });
    expect(trap.received.at(-1)!.headers.host).toBe(`rebind.example:${trap.port}`);
  });

  it('does not follow a redirect to a private address', async () => {
    const target = await startReceiver();
    const redirector = await startReceiver(() => 302); // Location: http://127.0.0.1:1/private
    try {
      const id = await eventTo(testClient, `${redirector.url}/hook`);
      const [report] = await firstAttempts(webhooks.delivery, [id]);
      expect(decisionOf(report!)).toMatchObject({ outcome: 'retry' });
      const [attempt] = await t.store.db
        .selectFrom('webhook_attempts')
        .selectAll()
        .where('event_id', '=', id)
        .execute();
      expect(attempt).toMatchObject({ status_code: 302, outcome: 'retry', error: 'redirect not followed' });
      expect(redirector.received).toHaveLength(1);
      expect(target.received).toHaveLength(0);
    } finally {
      await target.close();
      await redirector.close();
    }
  });

  it('lets test clients reach loopback (local development) but not other private ranges', async () => {
    const ok = await eventTo(testClient, `${trap.url}/dev`);
    const blocked = await eventTo(testClient, `http://10.0.0.1:${trap.port}/dev`);
    const reports = await firstAttempts(webhooks.delivery, [ok, blocked]);
    expect(reports.map((r) => decisionOf(r)?.outcome)).toEqual(['delivered', 'failed']);
  });

  it('validates URLs when they are given (400 validation_error)', async () => {
    for (const url of [
      'https://127.0.0.1/',
      'https://[::1]/',
      'https://localhost/x',
      'http://example.com/',
    ]) {
      await expect(t.services.webhooks.validateUrl(url, 'live')).rejects.toMatchObject({
        code: 'validation_error',
        status: 400,
      });
    }
    await expect(
      t.services.webhooks.validateUrl('https://hooks.example.com/x', 'live'),
    ).resolves.toBeUndefined();
    await expect(t.services.webhooks.validateUrl('http://127.0.0.1:3000/x', 'test')).resolves.toBeUndefined();
  });

  it('resolves names at input for live clients: loopback names, /etc/hosts and DNS answers are refused', async () => {
    // The stub resolver stands in for DNS ('rebind.example' → 127.0.0.1, as 127.0.0.1.nip.io or localtest.me
    // answer on the internet); loopback names are refused by name, the machine's own name through /etc/hosts.
    for (const url of [
      'https://localhost./',
      'https://LOCALHOST./x',
      'https://ip6-localhost/',
      'https://ip6-loopback/',
      'https://app.localhost/',
      'https://rebind.example/hook',
      'https://metadata.attacker.example/',
      'https://mixed.attacker.example/',
    ]) {
      await expect(webhooks.validateUrl(url, 'live'), url).rejects.toMatchObject({
        code: 'validation_error',
      });
    }
    // A name that does not resolve (yet) is left to the delivery-time check; a public answer passes.
    await expect(webhooks.validateUrl('https://public.example/hook', 'live')).resolves.toBeUndefined();
    await expect(webhooks.validateUrl('https://nowhere.invalid/hook', 'live')).resolves.toBeUndefined();
    // Test clients may still reach loopback for local development.
    await expect(webhooks.validateUrl('http://localhost.:3000/x', 'test')).resolves.toBeUndefined();
  });
});

describe('SSRF at input through the system resolver', () => {
  it('refuses a live webhook URL naming this machine (its name resolves through /etc/hosts)', async () => {
    const { hostname } = await import('node:os');
    const own = `https://${hostname()}/hook`;
    const refused = await t.services.webhooks.validateUrl(own, 'live').then(
      () => false,
      () => true,
    );
    // The machine's own name resolves through /etc/hosts to a loopback or private address wherever this runs.
    expect(refused).toBe(true);
  });
});
