import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestStore } from '../../test/support/test-store.js';
import { webhookUrlCheck } from '../../test/support/webhook-url-check.js';
import { ManualClock } from '../shared/clock.js';
import { ApiError } from '../shared/errors.js';
import { randomIds } from '../shared/ids.js';
import type { Store } from '../store/index.js';
import { type ClientsService, createClientsService } from './index.js';
import { hashSecret, verifySecret } from './secret-hash.js';

describe('secret hashing', () => {
  it('verifies the right secret only, and rejects malformed hashes', async () => {
    const hash = await hashSecret('s3cret');
    expect(hash).toMatch(/^scrypt\$32768\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    expect(await verifySecret('s3cret', hash)).toBe(true);
    expect(await verifySecret('s3cret ', hash)).toBe(false);
    expect(await verifySecret('s3cret', 'plain')).toBe(false);
    expect(await hashSecret('s3cret')).not.toBe(hash);
  });
});

describe('clients service', () => {
  let store: Store;
  let clients: ClientsService;
  const clock = new ManualClock('2026-05-01T10:00:00Z');
  beforeAll(async () => {
    store = await createTestStore();
    clients = createClientsService({
      db: store.db,
      clock,
      ids: randomIds,
      checkWebhookUrl: webhookUrlCheck,
    });
  });
  afterAll(() => store.close());

  it('creates a client with defaults and authenticates it with its secret only', async () => {
    const { client, clientSecret } = await clients.create({ name: 'Shop' });
    expect(client).toMatchObject({
      mode: 'test',
      scopes: ['pay', 'ais'],
      uxTemplate: 'default',
      trackingRequired: false,
    });
    expect(client.createdAt.toISOString()).toBe('2026-05-01T10:00:00.000Z');
    expect((await clients.authenticateWithSecret(client.clientId, clientSecret))?.id).toBe(client.id);
    // Cached success path gives the same answer.
    expect((await clients.authenticateWithSecret(client.clientId, clientSecret))?.id).toBe(client.id);
    expect(await clients.authenticateWithSecret(client.clientId, `${clientSecret}x`)).toBeUndefined();
    expect(await clients.authenticateWithSecret('test_unknown', clientSecret)).toBeUndefined();
    // Ids no client can have (a NUL byte would make the database refuse the query) are unknown, not an error.
    expect(await clients.authenticateWithSecret('\u0000', clientSecret)).toBeUndefined();
    expect(await clients.find(`${client.clientId}\u0000`)).toBeUndefined();
  });

  it('reuses a client row for 5 s, then sees a change made elsewhere; unknown ids are never cached', async () => {
    const { client, clientSecret } = await clients.create({ name: 'Cached' });
    expect(await clients.authenticateWithSecret(client.clientId, clientSecret)).toBeDefined();
    // Another process disables the client: this one keeps its row until the cache entry lapses.
    await store.db
      .updateTable('api_clients')
      .set({ disabled: true })
      .where('client_id', '=', client.clientId)
      .execute();
    expect((await clients.find(client.clientId))?.disabled).toBe(false);
    clock.advance(4999);
    expect(await clients.authenticateWithSecret(client.clientId, clientSecret)).toBeDefined();
    clock.advance(2);
    expect((await clients.find(client.clientId))?.disabled).toBe(true);
    expect(await clients.authenticateWithSecret(client.clientId, clientSecret)).toBeUndefined();

    // A miss is not remembered: a client created right after a failed lookup works at once.
    expect(await clients.find('test_not_yet')).toBeUndefined();
    await store.db
      .updateTable('api_clients')
      .set({ client_id: 'test_not_yet', disabled: false })
      .where('client_id', '=', client.clientId)
      .execute();
    expect((await clients.find('test_not_yet'))?.id).toBe(client.id);
  });

  it('rotating the secret invalidates the old one at once, even when cached', async () => {
    const { client, clientSecret } = await clients.create({ name: 'Rotating' });
    expect(await clients.authenticateWithSecret(client.clientId, clientSecret)).toBeDefined();
    const next = await clients.rotateSecret(client.clientId);
    expect(await clients.authenticateWithSecret(client.clientId, clientSecret)).toBeUndefined();
    expect(await clients.authenticateWithSecret(client.clientId, next)).toBeDefined();
  });

  it('a secret rotated by another process works at once, though this one holds the old row', async () => {
    const { client, clientSecret } = await clients.create({ name: 'Rotated elsewhere' });
    expect(await clients.authenticateWithSecret(client.clientId, clientSecret)).toBeDefined();
    // Another process (the CLI on a shared PostgreSQL database) rotates the secret with its own service.
    const elsewhere = createClientsService({
      db: store.db,
      clock,
      ids: randomIds,
      checkWebhookUrl: webhookUrlCheck,
    });
    const next = await elsewhere.rotateSecret(client.clientId);
    expect((await clients.authenticateWithSecret(client.clientId, next))?.id).toBe(client.id);
    expect(await clients.authenticateWithSecret(client.clientId, clientSecret)).toBeUndefined();
  });

  it('rejects bad input with validation_error naming the field', async () => {
    const cases: [Parameters<ClientsService['create']>[0], string][] = [
      [{ name: '' }, 'name'],
      [{ name: 'x'.repeat(129) }, 'name'],
      [{ name: 'A', scopes: [] }, 'scopes'],
      [{ name: 'A', scopes: ['pay', 'admin' as 'pay'] }, 'scopes'],
      [{ name: 'A', uxTemplate: 'neon' }, 'ux_template'],
      [{ name: 'A', mode: 'live', webhookUrl: 'http://shop.example/hook' }, 'webhook_url'],
      [{ name: 'A', webhookUrl: 'not a url' }, 'webhook_url'],
      [{ name: 'A', webhookUrl: 'https://u:p@shop.example/hook' }, 'webhook_url'],
      [{ name: 'A', mode: 'live', webhookUrl: 'https://127.0.0.1/hook' }, 'webhook_url'],
      [{ name: 'A', mode: 'live', webhookUrl: 'https://169.254.169.254/latest' }, 'webhook_url'],
      [{ name: 'A', jwks: { keys: [] } }, 'jwks'],
      [{ name: 'A', jwks: { keys: [{ kty: 'oct', k: 'abc' }] } }, 'jwks'],
      [{ name: 'A', jwks: { keys: [{ kty: 'EC', crv: 'P-256', x: 'a', y: 'b', d: 'secret' }] } }, 'jwks'],
      [{ name: 'A', tokenEndpointAuthMethod: 'private_key_jwt' }, 'jwks'],
      [{ name: 'A', tokenEndpointAuthMethod: 'tls_client_auth' }, 'tls_subject_dn'],
    ];
    for (const [input, field] of cases) {
      const error = await clients.create(input).catch((e: unknown) => e);
      expect(error, JSON.stringify(input)).toBeInstanceOf(ApiError);
      expect((error as ApiError).code).toBe('validation_error');
      expect((error as ApiError).extra.field).toBe(field);
    }
  });

  it('registers private_key_jwt when a JWKS is given', async () => {
    const { client } = await clients.create({
      name: 'JWT',
      mode: 'live',
      jwks: { keys: [{ kty: 'EC', crv: 'P-256', x: 'x', y: 'y', kid: 'k1' }] },
    });
    expect(client.tokenEndpointAuthMethod).toBe('private_key_jwt');
  });
});
