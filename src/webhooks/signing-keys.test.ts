import { CompactSign, compactVerify, createLocalJWKSet, errors, importJWK, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testMasterKey } from '../../test/support/test-app.js';
import { createTestStore } from '../../test/support/test-store.js';
import { ManualClock } from '../shared/clock.js';
import { createSecretBox } from '../shared/secret-box.js';
import type { Store } from '../store/index.js';
import { createWebhookKeys } from './signing-keys.js';

let store: Store;
const clock = new ManualClock('2026-01-01T00:00:00Z');
const secretBox = createSecretBox(testMasterKey);
const body = new TextEncoder().encode('{"type":"link_status_update","link_id":"l","status":"paid"}');

beforeAll(async () => {
  store = await createTestStore();
});
afterAll(async () => store?.close());

const keysWith = (alg: 'ES256' | 'RS256' = 'ES256') =>
  createWebhookKeys({ db: store.db, secretBox, clock, alg, rotationDays: 90, recheckMs: 0 });

describe('webhook signing keys', () => {
  it('creates exactly two keys on first start, even when several processes start at once', async () => {
    await Promise.all([keysWith().ensure(), keysWith().ensure(), keysWith().ensure()]);
    const rows = await store.db
      .selectFrom('signing_keys')
      .selectAll()
      .where('purpose', '=', 'webhook')
      .execute();
    expect(rows).toHaveLength(2);
    const { keys } = await keysWith().jwks();
    expect(keys).toHaveLength(2);
    expect(keys.map((k) => k.kid)).toEqual(
      rows.sort((a, b) => b.created_at.getTime() - a.created_at.getTime()).map((r) => r.kid),
    );
    for (const k of keys) {
      expect(Object.keys(k).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']);
      expect(k).toMatchObject({ alg: 'ES256', use: 'sig', kty: 'EC' });
    }
  });

  it('keeps private keys encrypted at rest with the master key', async () => {
    const rows = await store.db
      .selectFrom('signing_keys')
      .selectAll()
      .where('purpose', '=', 'webhook')
      .execute();
    for (const row of rows) {
      expect(row.private_enc.startsWith('v1.')).toBe(true);
      expect(row.private_enc).not.toContain('"d"');
      const jwk = JSON.parse(secretBox.open(row.private_enc)) as JWK;
      expect(jwk.d).toBeTypeOf('string');
      expect(() => createSecretBox(Buffer.alloc(32, 7)).open(row.private_enc)).toThrow();
    }
  });

  it('signs with the current key; the signature verifies against the JWKS, kid in the protected header', async () => {
    const keys = keysWith();
    const signer = await keys.signer();
    const jws = signer.sign(body);
    const { keys: published } = await keys.jwks();
    expect(signer.kid).toBe(published[0]!.kid);
    const { payload, protectedHeader } = await compactVerify(jws, createLocalJWKSet({ keys: published }));
    expect(protectedHeader).toEqual({ alg: 'ES256', kid: signer.kid });
    expect(Buffer.from(payload).equals(Buffer.from(body))).toBe(true);
    // The same compact form jose's own signer produces: header and payload segments match byte for byte.
    const [h, p] = jws.split('.');
    expect(JSON.parse(Buffer.from(h!, 'base64url').toString())).toEqual({ alg: 'ES256', kid: signer.kid });
    expect(p).toBe(Buffer.from(body).toString('base64url'));
    expect(Buffer.from(jws.split('.')[2]!, 'base64url')).toHaveLength(64);
  });

  it('rotation: current becomes previous, the older key is dropped; a signature made before still verifies', async () => {
    const keys = keysWith();
    const before = await keys.jwks();
    const signedBefore = (await keys.signer()).sign(body);
    clock.advance(1000);
    const rotation = await keys.rotate();
    const after = await keys.jwks();
    expect(after.keys).toHaveLength(2);
    expect(after.keys[1]!.kid).toBe(before.keys[0]!.kid);
    expect(after.keys[0]!.kid).toBe(rotation.current);
    expect(rotation).toMatchObject({ previous: before.keys[0]!.kid, dropped: [before.keys[1]!.kid] });
    await expect(compactVerify(signedBefore, createLocalJWKSet(after))).resolves.toBeDefined();
    expect((await keys.signer()).kid).toBe(rotation.current);

    // A second rotation drops the key that signed it: the kid is no longer published and verification fails.
    clock.advance(1000);
    await keys.rotate();
    await expect(compactVerify(signedBefore, createLocalJWKSet(await keys.jwks()))).rejects.toBeInstanceOf(
      errors.JWKSNoMatchingKey,
    );
    const dropped = await store.db
      .selectFrom('signing_keys')
      .selectAll()
      .where('kid', '=', before.keys[0]!.kid!)
      .executeTakeFirstOrThrow();
    expect(dropped.retired_at).not.toBeNull();
    expect(dropped.private_enc).toBe('');
  });

  it('rotates on schedule only when the current key is older than the interval', async () => {
    const keys = keysWith();
    expect(await keys.rotateIfDue()).toBeUndefined();
    clock.advance(89 * 86_400_000);
    expect(await keys.rotateIfDue()).toBeUndefined();
    clock.advance(86_400_000);
    const rotated = await keys.rotateIfDue();
    expect(rotated?.current).toBe((await keys.jwks()).keys[0]!.kid);
    expect(await keys.rotateIfDue()).toBeUndefined();
  });

  it('creates RS256 keys when configured, publishing n and e; a tampered body does not verify', async () => {
    const keys = keysWith('RS256');
    await keys.rotate();
    const { keys: published } = await keys.jwks();
    expect(published[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
    expect(Object.keys(published[0]!).sort()).toEqual(['alg', 'e', 'kid', 'kty', 'n', 'use']);
    const jws = (await keys.signer()).sign(body);
    await expect(compactVerify(jws, createLocalJWKSet({ keys: published }))).resolves.toBeDefined();
    const [h, , s] = jws.split('.');
    const forged = `${h}.${Buffer.from('{"type":"x"}').toString('base64url')}.${s}`;
    await expect(compactVerify(forged, createLocalJWKSet({ keys: published }))).rejects.toThrow();
    // A key outside the JWKS signing with a published kid is rejected too.
    const other = await importJWK({ kty: 'oct', k: Buffer.alloc(32).toString('base64url') }, 'HS256');
    const foreign = await new CompactSign(body)
      .setProtectedHeader({ alg: 'HS256', kid: published[0]!.kid! })
      .sign(other);
    await expect(compactVerify(foreign, createLocalJWKSet({ keys: published }))).rejects.toThrow();
  });
});
