import { randomBytes, randomUUID } from 'node:crypto';

/** Injected id and randomness source. */
export interface Ids {
  uuid(): string;
  /** URL-safe random token with `bytes` bytes of entropy. */
  token(bytes: number): string;
}

export const randomIds: Ids = {
  uuid: () => randomUUID(),
  token: (bytes) => pooledRandom(bytes).toString('base64url'),
};

// A synchronous randomBytes call costs a trip into OpenSSL each time (~15 µs under load); like randomUUID,
// draw from a pool of CSPRNG bytes refilled 4 KiB at a time. Each byte is handed out once. The returned bytes are
// a view into the pool: copy them before the next call if they must outlive it.
const POOL_SIZE = 4096;
let pool = Buffer.alloc(0);
let offset = 0;

export function pooledRandom(bytes: number): Buffer {
  if (bytes > POOL_SIZE / 4) return randomBytes(bytes);
  if (offset + bytes > pool.length) {
    pool = randomBytes(POOL_SIZE);
    offset = 0;
  }
  const out = pool.subarray(offset, offset + bytes);
  offset += bytes;
  return out;
}
