import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/support/test-app.js';

describe('OpenAPI document and API explorer', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('serves an OpenAPI 3.1 document generated from the route schemas', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toBe('3.1.0');
    const list = doc.paths['/v2/providers/list'].post;
    expect(list.requestBody.content['application/json'].schema.properties.client_id).toMatchObject({
      maxLength: 128,
    });
    expect(list.security).toEqual([{ oauth2: [] }]);
    expect(doc.paths['/test/providers/list'].post.security).toEqual([]);
    expect(doc.components.securitySchemes.oauth2.flows.clientCredentials.tokenUrl).toBe(
      'http://ferry.test/oauth2/token',
    );
    // Internal pages stay out of the API description.
    expect(doc.paths['/health']).toBeUndefined();
  });

  it('declares each operation’s real answers: its success body and the error envelope as one component', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    const envelope = { $ref: '#/components/schemas/ErrorEnvelope' };
    expect(doc.components.schemas.ErrorEnvelope.required).toEqual([
      'error_id',
      'request_id',
      'code',
      'message',
    ]);
    const get = doc.paths['/v2/links/get'].post.responses;
    expect(Object.keys(get)).toEqual(['200', '400', '401', '404', '413', '415', '429', '500']);
    expect(get['404'].content['application/json'].schema).toEqual(envelope);
    const ok = get['200'].content['application/json'].schema;
    expect(ok.required).toEqual(
      expect.arrayContaining(['request_id', 'link_id', 'status', 'status_history']),
    );
    expect(ok.properties.status.enum).toContain('funds_received');
    // v1 predates funds_* and has one remitter type per method.
    const v1 = doc.paths['/v1/links/get'].post.responses['200'].content['application/json'].schema;
    expect(v1.properties.status.enum).not.toContain('funds_received');
    // Idempotent operations also answer 409 (key in flight) and 422 (key reused with another body).
    const create = doc.paths['/v2/links/create'].post.responses;
    expect(Object.keys(create)).toEqual(expect.arrayContaining(['409', '422']));
    // Every operation declares a 200 body that is more than "an object".
    for (const [path, item] of Object.entries<Record<string, { responses: Record<string, unknown> }>>(
      doc.paths,
    )) {
      if (!/^\/(v1|v2|test)\//.test(path)) continue;
      const body = (
        item.post!.responses['200'] as { content: Record<string, { schema: { properties?: object } }> }
      ).content['application/json']!.schema;
      expect(Object.keys(body.properties ?? {}).length, path).toBeGreaterThan(2);
    }
  });

  it('serves the explorer from local assets only (no CDN)', async () => {
    const page = await t.app.inject({ method: 'GET', url: '/docs/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    const html = page.body;
    const external = [...html.matchAll(/(?:src|href)="(https?:)?\/\/[^"]+"/g)].map((m) => m[0]);
    expect(external).toEqual([]);
    const initializer = await t.app.inject({ method: 'GET', url: '/docs/static/swagger-initializer.js' });
    expect(initializer.statusCode).toBe(200);
    const bundle = await t.app.inject({ method: 'GET', url: '/docs/static/swagger-ui-bundle.js' });
    expect(bundle.statusCode).toBe(200);
  });
});
