import { createHmac, timingSafeEqual } from 'node:crypto';
import { validationError } from '../shared/errors.js';

/**
 * Opaque keyset cursors: base64url(JSON) + "." + a truncated HMAC, so a cursor that was edited, truncated or
 * taken from another list kind fails with validation_error instead of silently skipping rows.
 */
export interface Keyset {
  encode(kind: string, values: readonly (string | number)[]): string;
  decode(kind: string, cursor: string, field?: string): (string | number)[];
}

export function createKeyset(key: Buffer): Keyset {
  const mac = (text: string) => createHmac('sha256', key).update(text).digest().subarray(0, 12);
  return {
    encode(kind, values) {
      const body = Buffer.from(JSON.stringify([kind, ...values])).toString('base64url');
      return `${body}.${mac(body).toString('base64url')}`;
    },
    decode(kind, cursor, field = 'pagination.after') {
      const bad = () => validationError(field, 'is not a cursor returned by this list');
      const [body, sig, extra] = cursor.split('.');
      if (!body || !sig || extra !== undefined || cursor.length > 512) throw bad();
      const given = Buffer.from(sig, 'base64url');
      const expected = mac(body);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw bad();
      let parsed: unknown;
      try {
        parsed = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
      } catch {
        throw bad();
      }
      if (!Array.isArray(parsed) || parsed[0] !== kind) throw bad();
      return parsed.slice(1) as (string | number)[];
    },
  };
}
