import Fastify from 'fastify';
import { Type } from 'typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/support/test-app.js';
import { lazySchemas } from './lazy-schemas.js';

describe('route schemas compiled on first use', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('every schema of the whole app compiles (what a start no longer checks, this does)', () => {
    const compiled = t.app.compileSchemas();
    expect(compiled).toBeGreaterThan(100);
    expect(t.app.compileSchemas()).toBe(0); // each once
  });

  it('validates, reports errors and serializes as the default compilers do', async () => {
    const schemas = lazySchemas();
    const app = Fastify({ schemaController: { compilersFactory: schemas.compilersFactory } });
    app.addSchema({ $id: 'Name', type: 'string', minLength: 2 });
    app.post(
      '/echo/:n',
      {
        schema: {
          params: Type.Object({ n: Type.String({ pattern: '^[0-9]+$' }) }),
          querystring: Type.Object({ q: Type.Optional(Type.String()) }),
          body: Type.Object({ name: Type.Ref('Name'), tags: Type.Optional(Type.Array(Type.String())) }),
          response: { 200: Type.Object({ name: Type.String(), n: Type.String() }) },
        },
      },
      async (request) => {
        const body = request.body as { name: string };
        return { name: body.name, n: (request.params as { n: string }).n, secret: 'dropped' };
      },
    );
    await app.ready();
    const ok = await app.inject({ method: 'POST', url: '/echo/7', payload: { name: 'Ana' } });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ name: 'Ana', n: '7' }); // the serializer drops what the schema lacks
    const short = await app.inject({ method: 'POST', url: '/echo/7', payload: { name: 'A' } });
    expect(short.statusCode).toBe(400);
    expect(short.json().message).toMatch(/body\/name must NOT have fewer than 2 characters/);
    const badParam = await app.inject({ method: 'POST', url: '/echo/x', payload: { name: 'Ana' } });
    expect(badParam.statusCode).toBe(400);
    expect(badParam.json().message).toMatch(/params\/n must match pattern/);
    expect(schemas.compileAll()).toBe(0); // all four compiled by those requests
    await app.close();
  });

  it('refuses a headers schema at registration (Fastify lower-cases those only for its own compiler)', async () => {
    const app = Fastify({ schemaController: { compilersFactory: lazySchemas().compilersFactory } });
    app.get('/h', { schema: { headers: Type.Object({ 'X-Key': Type.String() }) } }, async () => 'ok');
    await expect(app.ready()).rejects.toThrow(/headers schemas are not supported/);
  });

  it('a schema Ajv cannot compile fails its route with the route named, and compileAll throws it', async () => {
    const schemas = lazySchemas();
    const app = Fastify({ schemaController: { compilersFactory: schemas.compilersFactory } });
    app.post(
      '/bad',
      { schema: { body: { type: 'object', properties: { a: { $ref: 'Missing' } } } } },
      async () => 'ok',
    );
    await app.ready();
    const res = await app.inject({ method: 'POST', url: '/bad', payload: {} });
    expect(res.statusCode).toBe(500);
    expect(() => schemas.compileAll()).toThrow(/schema of POST \/bad/);
    await app.close();
  });
});
