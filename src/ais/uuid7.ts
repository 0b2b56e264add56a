import { pooledRandom } from '../shared/ids.js';

/**
 * Time-ordered UUIDs (RFC 9562 v7) for transaction rows: a refresh inserts up to millions of rows, and ids that
 * grow with time keep the primary-key index append-mostly instead of touching random pages.
 */
export function createUuid7(now: () => number = Date.now): () => string {
  return () => {
    const ms = now();
    const b = Buffer.alloc(16);
    b.writeUIntBE(ms, 0, 6);
    pooledRandom(10).copy(b, 6);
    b[6] = (b[6]! & 0x0f) | 0x70;
    b[8] = (b[8]! & 0x3f) | 0x80;
    const h = b.toString('hex');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  };
}
