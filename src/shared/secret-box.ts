import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

/**
 * Encrypts small secrets at rest (private keys, bank tokens) with the master key: AES-256-GCM,
 * random 96-bit nonce, output `v1.<nonce>.<ciphertext>.<tag>` in base64url.
 */
export interface SecretBox {
  seal(plaintext: string): string;
  open(sealed: string): string;
  /** Opens a sealed value; a value written before sealing began (plain) is returned as it is. */
  openOrPlain(stored: string): string;
  /**
   * A keyed hash (HMAC-SHA256 under a key derived from the master key for `purpose`), to look a sealed value
   * up by: equal inputs give equal keys, and the key reveals nothing of the value without the master key.
   */
  lookupKey(purpose: string, value: string): string;
}

const SEALED = /^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]{22}$/;

export function createSecretBox(key: Buffer): SecretBox {
  if (key.length !== 32) throw new Error('master key must be 32 bytes');
  const lookupKeys = new Map<string, Buffer>();
  const box: SecretBox = {
    seal(plaintext) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return ['v1', iv, body, cipher.getAuthTag()]
        .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
        .join('.');
    },
    open(sealed) {
      const [version, iv, body, tag] = sealed.split('.');
      if (version !== 'v1' || !iv || body === undefined || !tag) throw new Error('sealed value is malformed');
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString(
        'utf8',
      );
    },
    openOrPlain(stored) {
      return SEALED.test(stored) ? box.open(stored) : stored;
    },
    lookupKey(purpose, value) {
      let derived = lookupKeys.get(purpose);
      if (!derived) {
        derived = createHmac('sha256', key).update(`ferry lookup key/${purpose}`).digest();
        lookupKeys.set(purpose, derived);
      }
      return createHmac('sha256', derived).update(value, 'utf8').digest('base64url');
    },
  };
  return box;
}
