import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSandboxBank, startSandboxBank } from '../../src/sandbox-bank/standalone.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

/** 405 + Allow for a known path with an unknown method; nosniff and no-store on JSON; /docs headers. */
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t?.close());

describe('Ferry', () => {
  it('a known path with another method is 405 method_not_allowed with Allow; an unknown path stays 404', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/test/links/create' });
    expect(res.statusCode).toBe(405);
    expect(res.headers.allow).toBe('POST');
    expect(res.json()).toMatchObject({ code: 'method_not_allowed' });
    const del = await t.app.inject({ method: 'DELETE', url: '/health' });
    expect(del.statusCode).toBe(405);
    expect(String(del.headers.allow)).toContain('GET');
    const none = await t.app.inject({ method: 'GET', url: '/test/nothing-here' });
    expect(none.statusCode).toBe(404);
    expect(none.json().code).toBe('not_found');
  });

  it('every JSON answer carries nosniff and no-store, errors included', async () => {
    for (const res of [
      await t.app.inject({ method: 'POST', url: '/test/links/create', payload: {} }),
      await t.app.inject({ method: 'GET', url: '/openapi.json' }),
      await t.app.inject({ method: 'GET', url: '/nowhere' }),
    ]) {
      expect(res.headers['content-type']).toContain('json');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['cache-control']).toBe('no-store');
    }
  });

  it('/docs carries nosniff and a referrer policy', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/docs/' });
    expect(res.statusCode).toBeLessThan(400);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
  });

  it('the mounted sandbox bank answers 405 with its own error model', async () => {
    const res = await t.app.inject({
      method: 'PUT',
      url: '/sandbox-bank/bt_ro/v1/consents/abc/status',
      headers: { 'x-request-id': randomUUID() },
    });
    expect(res.statusCode).toBe(405);
    expect(res.headers.allow).toContain('GET');
    expect(res.json()).toEqual({
      tppMessages: [{ category: 'ERROR', code: 'SERVICE_INVALID', text: expect.any(String) }],
    });
  });
});

describe('the sandbox bank standing alone', () => {
  let bank: RunningSandboxBank;
  beforeAll(async () => {
    bank = await startSandboxBank({ port: 0, store: t.store });
  });
  afterAll(() => bank?.close());

  it('answers 405 with Allow, and nosniff on JSON', async () => {
    const res = await fetch(`${bank.url}/sandbox-bank/bt_ro/v1/consents/abc/status`, {
      method: 'PUT',
      headers: { 'x-request-id': randomUUID() },
    });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toContain('GET');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });
});
