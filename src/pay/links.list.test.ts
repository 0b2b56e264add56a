import { randomBytes, randomUUID } from 'node:crypto';
import { sql, type Transaction } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planCounters } from '../../test/support/plan-counters.js';
import { createTestApp, type TestApp } from '../../test/support/test-app.js';
import { createFakeBank } from '../connectors/test-support/fake-bank.js';
import { ManualClock } from '../shared/clock.js';
import type { Database } from '../store/index.js';
import type { LinkStatus } from './link-status.js';
import { insertLink, listLinks } from './links.repository.js';

describe('links/list keyset walk', () => {
  let t: TestApp;
  const clock = new ManualClock('2026-05-01T00:00:00Z');
  let creds: { client_id: string; client_secret: string };
  const made: string[] = [];

  const call = (path: string, body: Record<string, unknown>) => t.call(`/test${path}`, body, creds);
  const createOne = async (i: number) => {
    const res = await call('/links/create', {
      single_transfer: {
        amount: `${(i % 900) + 1}.${String(i % 100).padStart(2, '0')}`,
        currency: 'RON',
        creditor_name: 'Walker',
        creditor_iban: 'RO10RZBR0000069999999970',
      },
    });
    expect(res.status).toBe(200);
    return res.body.link_id as string;
  };

  /** The row links/create writes for a plain link, inserted through the repository (no HTTP round trip). */
  const insertOne = async (clientUuid: string, i: number) => {
    const now = clock.now();
    const row = await insertLink(t.store.db, {
      id: randomUUID(),
      web_id: randomBytes(12).toString('base64url'),
      client_id: clientUuid,
      mode: 'test',
      type: 'link',
      status: 'created',
      amount: `${(i % 900) + 1}.${String(i % 100).padStart(2, '0')}`,
      currency: 'RON',
      creditor_name: 'Walker',
      creditor_iban: 'RO10RZBR0000069999999970',
      api_inputs: [],
      method_filter: '{}',
      expires_at: new Date(now.getTime() + 86_400_000),
      created_at: now,
      updated_at: now,
    });
    return row.id;
  };

  beforeAll(async () => {
    t = await createTestApp({ clock, connector: createFakeBank() });
    const c = await t.client({ name: 'Walker' });
    creds = { client_id: c.clientId, client_secret: c.clientSecret };
    const clientUuid = (await t.services.clients.find(c.clientId))!.id;
    for (let i = 0; i < 600; i++) {
      made.push(await insertOne(clientUuid, i));
      // Several links share a timestamp: the id breaks the tie.
      if (i % 7 === 6) clock.advance(1);
    }
    // One through the API too: what the list serves for a created link is what links/create made.
    made.push(await createOne(600));
  });
  afterAll(() => t.close());

  it('walks 601 links with no gap or duplicate while new links keep arriving', async () => {
    const seen: string[] = [];
    const added: string[] = [];
    let after: string | undefined;
    let pages = 0;
    const sizes = [50, 1, 250, 37, 100];
    for (;;) {
      const limit = sizes[pages % sizes.length]!;
      const res = await call('/links/list', { pagination: { limit, ...(after ? { after } : {}) } });
      expect(res.status).toBe(200);
      const links = res.body.links as { link_id: string; keyset: string }[];
      const pagination = res.body.pagination as { count: number; 'more?': boolean; after: string | null };
      expect(pagination.count).toBe(links.length);
      expect(links.length).toBeLessThanOrEqual(limit);
      seen.push(...links.map((l) => l.link_id));
      pages += 1;
      // New links land at the head of the list, behind the cursor: they must not disturb the walk.
      for (let k = 0; k < 3; k++) {
        clock.advance(k === 1 ? 0 : 1);
        added.push(await createOne(1000 + pages * 3 + k));
      }
      if (!pagination['more?']) {
        expect(pagination.after).toBeNull();
        break;
      }
      expect(pagination.after).toBe(links.at(-1)!.keyset);
      after = pagination.after!;
    }
    expect(new Set(seen).size).toBe(seen.length);
    expect([...seen].sort()).toEqual([...made].sort());
    // Newest first; links created in the same millisecond follow the id, as the keyset does.
    const order = await t.store.db
      .selectFrom('pay_links')
      .select('id')
      .where('id', 'in', made)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .execute();
    expect(seen).toEqual(order.map((r) => r.id));
    expect(seen.some((id) => added.includes(id))).toBe(false);
    // A fresh walk now sees everything, the late arrivals first.
    const head = await call('/links/list', { pagination: { limit: 250 } });
    expect(
      (head.body.links as { link_id: string }[])
        .slice(0, added.length)
        .map((l) => l.link_id)
        .sort(),
    ).toEqual([...added].sort());
  });

  it('the cursor is opaque base64url and a cursor from another walk position is still exact', async () => {
    const first = await call('/links/list', { pagination: { limit: 10 } });
    const cursor = (first.body.pagination as { after: string }).after;
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    const next = await call('/links/list', { pagination: { limit: 10, after: cursor } });
    const again = await call('/links/list', { pagination: { limit: 10, after: cursor } });
    expect(next.body.links).toEqual(again.body.links);
  });
});

describe('links/list by several statuses, 20,000 links, no statistics', () => {
  let t: TestApp;
  let creds: Record<string, string>;
  let clientUuid = '';
  const statuses = ['created', 'completed', 'failed', 'submitted'];

  beforeAll(async () => {
    t = await createTestApp();
    const c = await t.client({ name: 'Many' });
    creds = { client_id: c.clientId, client_secret: c.clientSecret };
    clientUuid = (await t.services.clients.find(c.clientId))!.id;
    // Mostly `created`, some `completed`, a few `failed`, no `revoked`; timestamps shared in pairs (the id breaks
    // the tie). Loaded in one statement and never analyzed: the statistics a fast-growing table has.
    await sql`
      INSERT INTO pay_links (id, web_id, client_id, mode, type, status, amount, currency, creditor_name,
                             creditor_iban, method_filter, expires_at, created_at, updated_at)
      SELECT gen_random_uuid(), 'w' || n, ${clientUuid}::uuid, 'test', 'link',
             (${statuses}::text[])[1 + (CASE WHEN n % 10 = 0 THEN 1 WHEN n % 97 = 0 THEN 2 ELSE 0 END)],
             '1.00', 'RON', 'Many', 'RO10RZBR0000069999999970', '{}', now() + interval '1 day',
             timestamptz '2026-05-01T00:00:00Z' + (n / 2) * interval '1 millisecond', now()
      FROM generate_series(1, 20000) AS n`.execute(t.store.db);
  });
  afterAll(() => t.close());

  it('pages through two statuses in order, with no gap or duplicate, as one filtered walk would', async () => {
    const expected = (
      await sql<{ id: string }>`
        SELECT id FROM pay_links WHERE client_id = ${clientUuid}::uuid AND status IN ('completed', 'failed')
        ORDER BY created_at DESC, id DESC`.execute(t.store.db)
    ).rows.map((r) => r.id);
    expect(expected.length).toBeGreaterThan(2000);
    const seen: string[] = [];
    let after: string | undefined;
    for (;;) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/test/links/list',
        payload: {
          ...creds,
          filter: { status: ['failed', 'completed'] },
          pagination: { limit: 250, ...(after ? { after } : {}) },
        },
      });
      expect(res.statusCode).toBe(200);
      const body = res.json() as { links: { link_id: string }[]; pagination: { after: string | null } };
      seen.push(...body.links.map((l) => l.link_id));
      if (!body.pagination.after) break;
      after = body.pagination.after;
    }
    expect(seen).toEqual(expected);
  });

  it('reads about a page of index entries per status, even for a status the client has none of', async () => {
    const counters = (tx: Transaction<Database>) => planCounters(tx, 'pay_links');
    const page = (tx: Transaction<Database>, wanted: LinkStatus[]) =>
      listLinks(tx, {
        clientId: clientUuid,
        statuses: wanted,
        from: undefined,
        to: undefined,
        after: undefined,
        take: 101,
      });
    await t.store.db.transaction().execute(async (tx) => {
      for (const wanted of [
        ['completed', 'created'],
        ['revoked', 'failed'],
        ['revoked', 'started'],
      ] as LinkStatus[][]) {
        const before = await counters(tx);
        const rows = await page(tx, wanted);
        const after = await counters(tx);
        expect(rows.every((r) => wanted.includes(r.status))).toBe(true);
        expect(after.scans).toBe(before.scans);
        expect(after.read - before.read).toBeLessThanOrEqual(2 * 101 + 10);
      }
    });
  });
});
