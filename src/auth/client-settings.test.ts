import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestStore } from '../../test/support/test-store.js';
import { webhookUrlCheck } from '../../test/support/webhook-url-check.js';
import { ManualClock } from '../shared/clock.js';
import { ApiError } from '../shared/errors.js';
import { randomIds } from '../shared/ids.js';
import type { Store } from '../store/index.js';
import { type ClientsService, createClientsService } from './index.js';

const rsaKey = { kty: 'RSA', n: 'sXchDaQebHnPiGvyDOAT4saGEUetSyo9MKLOoWFsueri23bOdgWp4Dy1Wl', e: 'AQAB' };

/** `ferry clients update` and the operator API: settings replaced as a whole, checked as one. */
describe('client settings', () => {
  let store: Store;
  let clients: ClientsService;
  const clock = new ManualClock('2026-05-01T10:00:00Z');
  beforeAll(async () => {
    store = await createTestStore();
    clients = createClientsService({ db: store.db, clock, ids: randomIds, checkWebhookUrl: webhookUrlCheck });
  });
  afterAll(() => store.close());

  const codeOf = async (p: Promise<unknown>) => {
    const error = await p.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ApiError);
    return { code: (error as ApiError).code, message: (error as ApiError).message };
  };

  it('every client gets a client_app_key, and rotating it replaces it', async () => {
    const { client } = await clients.create({ name: 'Classic shop' });
    expect(client.clientAppKey).toMatch(/^fak_[\w-]{32}$/);
    const next = await clients.rotateAppKey(client.clientId);
    expect(next).not.toBe(client.clientAppKey);
    expect((await clients.find(client.clientId))?.clientAppKey).toBe(next);
    expect((await codeOf(clients.rotateAppKey('test_nope'))).code).toBe('not_found');
  });

  it('updates what is given and keeps the rest; disabling refuses the secret at once', async () => {
    const { client, clientSecret } = await clients.create({
      name: 'Shop',
      scopes: ['pay'],
      webhookUrl: 'https://hooks.example/ferry',
      redirectUris: ['https://shop.example/back'],
    });
    const updated = await clients.update(client.clientId, {
      uxTemplate: 'glass',
      trackingRequired: true,
      frameAncestors: ['https://shop.example', 'http://localhost:5173'],
      redirectUris: ['https://shop.example/back', 'https://shop.example/back', 'http://127.0.0.1:8080/cb'],
      v1sIdentity: 'ops@shop.example',
      v1sJwks: { keys: [rsaKey] },
    });
    expect(updated).toMatchObject({
      name: 'Shop',
      scopes: ['pay'],
      webhookUrl: 'https://hooks.example/ferry',
      uxTemplate: 'glass',
      trackingRequired: true,
      frameAncestors: ['https://shop.example', 'http://localhost:5173'],
      redirectUris: ['https://shop.example/back', 'http://127.0.0.1:8080/cb'],
      v1sIdentity: 'ops@shop.example',
      v1sJwks: { keys: [rsaKey] },
      disabled: false,
      clientAppKey: client.clientAppKey,
    });
    expect(await clients.find(client.clientId)).toEqual(updated);

    expect(await clients.authenticateWithSecret(client.clientId, clientSecret)).toBeDefined();
    await clients.update(client.clientId, { disabled: true });
    expect(await clients.authenticateWithSecret(client.clientId, clientSecret)).toBeUndefined();
    const enabled = await clients.update(client.clientId, { disabled: false, webhookUrl: null });
    expect(enabled).toMatchObject({ disabled: false, webhookUrl: null, uxTemplate: 'glass' });
    expect(await clients.authenticateWithSecret(client.clientId, clientSecret)).toBeDefined();
  });

  it('refuses bad settings with validation_error naming the field, and changes nothing', async () => {
    const { client } = await clients.create({ name: 'Strict shop', redirectUris: ['https://a.example/cb'] });
    const bad: [Parameters<ClientsService['update']>[1], RegExp][] = [
      [{ redirectUris: ['http://shop.example/cb'] }, /^redirect_uris: .*must use https/],
      [{ redirectUris: ['https://shop.example/cb#x'] }, /^redirect_uris: .*fragment/],
      [{ redirectUris: ['https://user:pw@shop.example/cb'] }, /^redirect_uris: .*credentials/],
      [{ redirectUris: ['/relative'] }, /^redirect_uris: .*absolute/],
      [{ redirectUris: Array.from({ length: 21 }, (_, i) => `https://a.example/${i}`) }, /at most 20/],
      [
        { frameAncestors: ['https://shop.example/page'] },
        /^frame_ancestors: .*origin, e.g. https:\/\/shop.example$/,
      ],
      [{ frameAncestors: ['*'] }, /^frame_ancestors: /],
      [{ v1sIdentity: 'not-an-email' }, /^v1s_identity: /],
      [{ v1sJwks: { keys: [rsaKey] } }, /^v1s_identity: is required with v1s_keys/],
      [
        { v1sIdentity: 'a@b.example', v1sJwks: { keys: [{ ...rsaKey, d: 'secret' }] } },
        /^v1s_keys: .*public keys only/,
      ],
      [{ v1sIdentity: 'a@b.example', v1sJwks: { keys: [{ kty: 'oct', k: 'x' }] } }, /^v1s_keys: .*RSA or EC/],
      [{ scopes: [] }, /^scopes: /],
      [{ uxTemplate: 'neon' }, /^ux_template: /],
      [{ name: ' ' }, /^name: /],
      [{ tokenEndpointAuthMethod: 'private_key_jwt' }, /^jwks: is required/],
      [{ tokenEndpointAuthMethod: 'tls_client_auth' }, /^tls_subject_dn: is required/],
    ];
    for (const [input, message] of bad) {
      const { code, message: got } = await codeOf(clients.update(client.clientId, input));
      expect(code).toBe('validation_error');
      expect(got).toMatch(message);
    }
    expect((await codeOf(clients.update('test_nope', { name: 'X' }))).code).toBe('not_found');
    // Not an issued id (the database would refuse the NUL byte with an error): the same answer.
    expect((await codeOf(clients.update('test_\u0000x', { name: 'X' }))).code).toBe('not_found');
    expect((await clients.find(client.clientId))?.redirectUris).toEqual(['https://a.example/cb']);
  });

  it('giving JWKS alone switches the client to private_key_jwt, as at creation', async () => {
    const { client } = await clients.create({ name: 'Keys shop' });
    expect(client.tokenEndpointAuthMethod).toBe('client_secret_basic');
    const updated = await clients.update(client.clientId, { jwks: { keys: [rsaKey] } });
    expect(updated.tokenEndpointAuthMethod).toBe('private_key_jwt');
  });
});
