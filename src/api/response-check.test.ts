import { Type } from 'typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/support/test-app.js';
import { registerRpc } from './index.js';

// The check the suite runs on every API answer (buildApp's checkResponses): it must catch a body that breaks
// its schema and a field the serialiser would silently drop.
describe('response check', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({
      routes: (app, services) => {
        registerRpc(app, services, {
          path: '/probe/answer',
          versions: ['test'],
          scope: 'any',
          summary: 'probe',
          tag: 'Probe',
          body: Type.Object({ kind: Type.String() }),
          response: Type.Object({
            n: Type.Integer(),
            at: Type.Optional(Type.String({ format: 'date-time' })),
          }),
          handler: async ({ body }) => {
            if (body.kind === 'extra') return { n: 1, undeclared: 'dropped' } as { n: number };
            if (body.kind === 'fraction') return { n: 1.5 };
            if (body.kind === 'bad_format') return { n: 1, at: 'yesterday' };
            return { n: 1, at: '2026-12-03T12:00:00.000Z' };
          },
        });
      },
    });
  });
  afterAll(() => t?.close());

  const call = (kind: string) => t.call('/test/probe/answer', { kind });

  it('passes an answer that matches its schema', async () => {
    const res = await call('ok');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ n: 1, at: '2026-12-03T12:00:00.000Z', request_id: expect.any(String) });
  });

  it.each([
    ['extra', /changed by the serialiser/],
    ['fraction', /changed by the serialiser/],
    ['bad_format', /does not match its declared schema/],
  ])('fails an answer the schema would change or does not allow (%s)', async (kind, message) => {
    const res = await call(kind);
    expect(res.status).toBe(500);
    expect(res.body.code).toBe('response_check_failed');
    expect(String(res.body.message)).toMatch(message);
  });
});
