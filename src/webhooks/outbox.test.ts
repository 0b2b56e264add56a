import { sql, type Transaction } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planCounters } from '../../test/support/plan-counters.js';
import { createTestApp, type TestApp } from '../../test/support/test-app.js';
import { ApiError, InternalError } from '../shared/errors.js';
import type { Database } from '../store/index.js';
import { applyAttempts, claimDue, listEvents } from './events.repository.js';
import { recordEvent } from './index.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t?.close());

async function clientUuid(webhookUrl: string | null): Promise<string> {
  const { clientId } = await t.client({ webhookUrl });
  return (await t.services.clients.find(clientId))!.id;
}

describe('recordEvent', () => {
  it('stores the exact body with event_id, occurred_at and sequence, pending when the client has a URL', async () => {
    const clientId = await clientUuid('http://127.0.0.1:9/hook');
    const at = new Date('2026-05-01T10:20:30.456Z');
    const write = (status: string) =>
      recordEvent(t.store.db, {
        type: 'link_status_update',
        clientId,
        objectId: 'l1',
        payload: { link_id: 'l1', web_id: 'w1', status, event_id: 'not this one', sequence: 0 },
        at,
      });
    const id = await write('paid');
    const second = await write('completed');
    const rows = await t.store.db
      .selectFrom('webhook_events')
      .selectAll()
      .where('id', 'in', [id, second])
      .orderBy('sequence')
      .execute();
    const [row, next] = rows;
    expect(row!.body).toBe(
      `{"type":"link_status_update","link_id":"l1","web_id":"w1","status":"paid","event_id":"${id}",` +
        `"occurred_at":"2026-05-01T10:20:30.456Z","sequence":${row!.sequence}}`,
    );
    expect(JSON.parse(next!.body)).toMatchObject({ event_id: second, sequence: Number(next!.sequence) });
    expect(BigInt(next!.sequence)).toBeGreaterThan(BigInt(row!.sequence));
    expect(row).toMatchObject({ state: 'pending', dispatched: false, url: null, client_id: clientId });
    expect(row!.next_attempt_at).toEqual(at);
  });

  it('records no_target when neither the event nor the client has a URL', async () => {
    const clientId = await clientUuid(null);
    const id = await recordEvent(t.store.db, {
      type: 'consent_status_update',
      clientId,
      objectId: 'c1',
      payload: { type: 'consent_status_update', consent_id: 'c1', status: 'active' },
    });
    const row = await t.store.db
      .selectFrom('webhook_events')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ state: 'no_target', dispatched: true });
  });

  it('writes inside the caller transaction and disappears with its rollback', async () => {
    const clientId = await clientUuid(null);
    let id = '';
    await expect(
      t.store.db.transaction().execute(async (tx) => {
        id = await recordEvent(tx, {
          type: 'job_status_update',
          clientId,
          objectId: 'j1',
          payload: { consent_id: 'c1', job_id: 'j1', status: 'done' },
          url: 'http://127.0.0.1:9/cb',
        });
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    const row = await t.store.db
      .selectFrom('webhook_events')
      .select('id')
      .where('id', '=', id)
      .executeTakeFirst();
    expect(row).toBeUndefined();
  });

  it('refuses a malformed event as an internal error (its callers are Ferry’s own, not the API client)', async () => {
    const clientId = await clientUuid(null);
    const base = { type: 'x', objectId: 'o', payload: {}, clientId };
    for (const [event, detail] of [
      [{ ...base, clientId: 'nope' }, 'no API client with id nope'],
      [{ ...base, clientId: '00000000-0000-4000-8000-000000000000' }, 'no API client with id 00000000-'],
      [{ ...base, payload: { type: 'other' } }, 'payload.type other differs from the event type'],
      [{ ...base, type: '' }, 'the type must be 1 to 64 characters'],
      [{ ...base, url: 'not a url' }, 'the webhook URL is not an absolute URL'],
    ] as const) {
      const error = await recordEvent(t.store.db, event).catch((e: unknown) => e);
      expect(error, detail).toBeInstanceOf(InternalError);
      expect(error).not.toBeInstanceOf(ApiError);
      expect(error).toMatchObject({ code: 'internal_error', message: expect.stringContaining(detail) });
    }
  });
});

describe('a long backlog, no statistics', () => {
  let clientId = '';
  const counters = (tx: Transaction<Database>, index?: string) => planCounters(tx, 'webhook_events', index);
  beforeAll(async () => {
    clientId = await clientUuid('http://127.0.0.1:9/hook');
    // A burst of 20,000 events and no ANALYZE since: the statistics a burst leaves behind (on a server whose
    // autovacuum is off, the only ones there are). The planner then took the backlog for a few dozen rows.
    await sql`
      INSERT INTO webhook_events (id, type, client_id, object_id, body, state, next_attempt_at, created_at,
                                  updated_at)
      SELECT gen_random_uuid(), 'link_status_update', ${clientId}::uuid, 'b' || n, '{}', 'pending',
             now() + n * interval '1 microsecond', now() + n * interval '1 microsecond', now()
      FROM generate_series(1, 20000) AS n`.execute(t.store.db);
  });

  it('a claim walks the outbox index as far as it claims and recording looks events up by id, never a scan', async () => {
    const index = 'webhook_events_due_idx';
    await t.store.db.transaction().execute(async (tx) => {
      const before = await counters(tx, index);
      const claimed = await claimDue(tx, new Date(Date.now() + 60_000), 100, 60_000);
      const after = await counters(tx, index);
      expect(claimed).toHaveLength(100);
      // The claim walked the outbox index in order and stopped: no whole-table scan, no sort of the backlog.
      expect(after.scans).toBe(before.scans);
      expect(after.read - before.read).toBeGreaterThanOrEqual(100);
      expect(after.read - before.read).toBeLessThanOrEqual(150);
      const at = new Date();
      const applied = await applyAttempts(
        tx,
        claimed.map((e) => ({
          eventId: e.id,
          attempt: 1,
          roundAttempt: 1,
          startedAt: at,
          url: 'http://127.0.0.1:9/hook',
          kid: 'k',
          statusCode: 200,
          latencyMs: 1,
          outcome: 'delivered',
          error: null,
          state: 'delivered',
          nextAttemptAt: null,
          holdUntil: null,
          at,
        })),
      );
      expect(applied.size).toBe(100);
      expect((await counters(tx, index)).scans).toBe(before.scans);
    });
  });

  it('a filtered page of the events list walks an index to the end of the page, not all of the client', async () => {
    await t.store.db.transaction().execute(async (tx) => {
      const before = await counters(tx);
      const page = await listEvents(tx, clientId, {
        types: ['link_status_update'],
        states: ['pending'],
        limit: 100,
      });
      const after = await counters(tx);
      expect(page).toHaveLength(101);
      expect(page[0]!.created_at.getTime()).toBeGreaterThanOrEqual(page[100]!.created_at.getTime());
      expect(after.scans).toBe(before.scans);
      expect(after.read - before.read).toBeLessThanOrEqual(150);
      // The next page starts at the cursor: it walks on from there, not from the head of the index.
      const last = page[99]!;
      const next = await listEvents(tx, clientId, {
        types: ['link_status_update'],
        states: ['pending'],
        after: { createdAt: last.created_key, id: last.id },
        limit: 100,
      });
      const end = await counters(tx);
      expect(next[0]!.id).toBe(page[100]!.id);
      expect(end.scans).toBe(after.scans);
      expect(end.read - after.read).toBeLessThanOrEqual(150);
    });
  });
});
