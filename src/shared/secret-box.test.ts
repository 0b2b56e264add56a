import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createSecretBox } from './secret-box.js';

describe('SecretBox', () => {
  const box = createSecretBox(randomBytes(32));

  it('seals with a fresh nonce each time and opens what it sealed; a tampered value does not open', () => {
    const a = box.seal('bank-payment-1');
    const b = box.seal('bank-payment-1');
    expect(a).not.toBe(b);
    expect(a).not.toContain('bank-payment-1');
    expect(box.open(a)).toBe('bank-payment-1');
    const [v, iv, body, tag] = a.split('.');
    // Flip a bit of the ciphertext itself: changing the last base64url character may only touch padding bits.
    const bytes = Buffer.from(body!, 'base64url');
    bytes[0]! ^= 1;
    const flipped = `${v}.${iv}.${bytes.toString('base64url')}.${tag}`;
    expect(() => box.open(flipped)).toThrow();
    expect(() => createSecretBox(randomBytes(32)).open(a)).toThrow();
  });

  it('openOrPlain opens a sealed value and passes a value written before sealing through', () => {
    expect(box.openOrPlain(box.seal('x'))).toBe('x');
    expect(box.openOrPlain('c0ffee-plain-id')).toBe('c0ffee-plain-id');
  });

  it('lookupKey is stable for one value and purpose, differs across values, purposes and master keys', () => {
    const key = box.lookupKey('bank payment id', 'p-1');
    expect(box.lookupKey('bank payment id', 'p-1')).toBe(key);
    expect(key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(box.lookupKey('bank payment id', 'p-2')).not.toBe(key);
    expect(box.lookupKey('another purpose', 'p-1')).not.toBe(key);
    expect(createSecretBox(randomBytes(32)).lookupKey('bank payment id', 'p-1')).not.toBe(key);
  });
});
