import { Type } from 'typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/support/test-app.js';
import { INTERNAL_ERROR_MESSAGE, InternalError } from '../shared/errors.js';
import { recordEvent } from '../webhooks/index.js';
import { registerRpc } from './rpc.js';

describe('error envelope and request ids', () => {
  let t: TestApp;
  let creds: { client_id: string; client_secret: string };
  beforeAll(async () => {
    t = await createTestApp({ env: { BODY_LIMIT_BYTES: '4096' } });
    const c = await t.client();
    creds = { client_id: c.clientId, client_secret: c.clientSecret };
  });
  afterAll(() => t.close());

  const expectEnvelope = (body: Record<string, unknown>, code: string) => {
    expect(body).toMatchObject({ code });
    expect(body.error_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(typeof body.request_id).toBe('string');
    expect(typeof body.message).toBe('string');
  };

  it('answers unknown routes with a JSON 404', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/v2/nope/nothing', payload: {} });
    expect(res.statusCode).toBe(404);
    expectEnvelope(res.json(), 'not_found');
  });

  it('echoes a well-formed x-request-id and generates one otherwise', async () => {
    const echoed = await t.app.inject({
      method: 'GET',
      url: '/health',
      headers: { 'x-request-id': 'abc-123' },
    });
    expect(echoed.headers['x-request-id']).toBe('abc-123');
    const generated = await t.app.inject({
      method: 'GET',
      url: '/health',
      headers: { 'x-request-id': 'bad id!' },
    });
    expect(generated.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const err = await t.app.inject({ method: 'POST', url: '/nope', headers: { 'x-request-id': 'req-9' } });
    expect(err.json().request_id).toBe('req-9');
  });

  it('rejects malformed JSON with bad_request', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/test/providers/list',
      headers: { 'content-type': 'application/json' },
      payload: '{"client_id": ',
    });
    expect(res.statusCode).toBe(400);
    expectEnvelope(res.json(), 'bad_request');
  });

  it('rejects an oversized body with 413 payload_too_large', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/test/providers/list',
      payload: { ...creds, pad: 'x'.repeat(10_000) },
    });
    expect(res.statusCode).toBe(413);
    expectEnvelope(res.json(), 'payload_too_large');
  });

  it('rejects a wrong content type with 415 unsupported_media_type', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/test/providers/list',
      headers: { 'content-type': 'text/plain' },
      payload: 'hello',
    });
    expect(res.statusCode).toBe(415);
    expectEnvelope(res.json(), 'unsupported_media_type');
  });

  it('names the field in validation errors for wrong types', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/test/providers/list',
      payload: { ...creds, client_id: creds.client_id, options: 'yes' },
    });
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expectEnvelope(body, 'validation_error');
    expect(body.field).toBe('options');
    expect(body.message).toContain('options');
  });
});

describe('internal failures', () => {
  let t: TestApp;
  let creds: { client_id: string; client_secret: string };
  const ghost = '00000000-0000-4000-8000-000000000000';
  beforeAll(async () => {
    t = await createTestApp({
      captureLogs: true,
      routes: (app, services) => {
        // A state change whose webhook event is broken: Ferry's fault, not the caller's.
        registerRpc(app, services, {
          path: '/probe/record',
          versions: ['test'],
          scope: 'any',
          summary: 'probe',
          tag: 'Probe',
          body: Type.Object({ kind: Type.String() }),
          response: Type.Object({}),
          handler: async ({ body }) => {
            const event = { type: 'link_status_update', clientId: ghost, objectId: 'l1', payload: {} };
            if (body.kind === 'unknown_client') await recordEvent(services.store.db, event);
            if (body.kind === 'bad_url') await recordEvent(services.store.db, { ...event, url: 'nope' });
            throw new InternalError('probe: an invariant does not hold');
          },
        });
      },
    });
    const c = await t.client();
    creds = { client_id: c.clientId, client_secret: c.clientSecret };
  });
  afterAll(() => t.close());

  it.each([
    ['unknown_client', `recordEvent(link_status_update, l1): no API client with id ${ghost}`],
    ['bad_url', 'recordEvent(link_status_update, l1): the webhook URL is not an absolute URL'],
    ['invariant', 'probe: an invariant does not hold'],
  ])('%s → 500 internal_error; the detail is in the log only', async (kind, detail) => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/test/probe/record',
      payload: { ...creds, kind },
    });
    expect(res.statusCode).toBe(500);
    const body = res.json();
    expect(body).toEqual({
      error_id: expect.any(String),
      request_id: expect.any(String),
      code: 'internal_error',
      message: INTERNAL_ERROR_MESSAGE,
    });
    expect(res.body).not.toContain('recordEvent');
    const logged = t.logs.find(
      (l) => l.msg === 'request failed' && (l.err as { message?: string } | undefined)?.message === detail,
    );
    expect(logged, JSON.stringify(t.logs.map((l) => l.msg))).toBeDefined();
    expect(logged!.err).toMatchObject({ type: 'InternalError', code: 'internal_error' });
  });
});
