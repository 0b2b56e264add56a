import { createHash, timingSafeEqual } from 'node:crypto';
import type { Ids } from '../shared/ids.js';

/** Nonces, temp_tokens, return keys and access_tokens: 256 random bits, URL-safe. */
export const newSecret = (ids: Ids): string => ids.token(32);

/** What is stored of a secret: its SHA-256 (a random 256-bit value needs no slow hash). */
export const hashSecret = (secret: string): string => createHash('sha256').update(secret).digest('base64url');

/** A secret against its stored hash, in constant time. */
export function matchesHash(secret: string, hash: string): boolean {
  const a = Buffer.from(hashSecret(secret));
  const b = Buffer.from(hash);
  return a.length === b.length && timingSafeEqual(a, b);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** An id the tables can hold (anything else is simply not found). */
export const isUuid = (value: string): boolean => UUID.test(value);
