import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Clock } from '../shared/clock.js';
import { ApiError, validationError } from '../shared/errors.js';
import type { Database } from '../store/index.js';
import './guards.tables.js';

export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

export type IdempotencyStart = { kind: 'proceed' } | { kind: 'replay'; status: number; body: string };

export interface IdempotencyStore {
  /** Claims the key for this request, or says to replay the stored response; throws 409/422 otherwise. */
  begin(clientId: string, key: string, requestHash: string): Promise<IdempotencyStart>;
  /** Stores the response of a claimed key (not for 5xx: those release the key so a retry runs again). */
  complete(clientId: string, key: string, status: number, body: string): Promise<void>;
  release(clientId: string, key: string): Promise<void>;
  cleanup(): Promise<number>;
}

export function checkIdempotencyKey(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !KEY_PATTERN.test(value)) {
    throw validationError('Idempotency-Key', 'must be 1 to 255 visible ASCII characters');
  }
  return value;
}

/** The request's identity for key reuse: path and body (without the secret), keys sorted. */
export function requestHash(path: string, body: unknown): string {
  const { client_secret: _omit, ...rest } = (body && typeof body === 'object' ? body : {}) as Record<
    string,
    unknown
  >;
  return createHash('sha256').update(path).update('\n').update(canonicalJson(rest)).digest('base64url');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function createIdempotencyStore(deps: {
  db: Kysely<Database>;
  clock: Clock;
  /** An in-flight claim older than this is considered abandoned (its process died) and may be taken over. */
  abandonAfterMs: number;
}): IdempotencyStore {
  const { db, clock, abandonAfterMs } = deps;

  const claim = async (clientId: string, key: string, hash: string) => {
    const now = clock.now();
    const inserted = await db
      .insertInto('idempotency_keys')
      .values({
        client_id: clientId,
        key,
        request_hash: hash,
        state: 'in_flight',
        locked_at: now,
        created_at: now,
      })
      .onConflict((oc) => oc.columns(['client_id', 'key']).doNothing())
      .returning('key')
      .executeTakeFirst();
    return inserted !== undefined;
  };

  return {
    async begin(clientId, key, hash) {
      for (let attempt = 0; attempt < 2; attempt++) {
        if (await claim(clientId, key, hash)) return { kind: 'proceed' };
        const row = await db
          .selectFrom('idempotency_keys')
          .selectAll()
          .where('client_id', '=', clientId)
          .where('key', '=', key)
          .executeTakeFirst();
        if (!row) continue; // released or expired in between: claim again
        const now = clock.now().getTime();
        if (row.created_at.getTime() + IDEMPOTENCY_TTL_MS <= now) {
          await db
            .deleteFrom('idempotency_keys')
            .where('client_id', '=', clientId)
            .where('key', '=', key)
            .where('created_at', '=', row.created_at)
            .execute();
          continue;
        }
        if (row.request_hash !== hash) {
          throw new ApiError(
            'idempotency_key_reused',
            'This Idempotency-Key was used with a different request body; use a new key for a new request.',
          );
        }
        if (row.state === 'done')
          return { kind: 'replay', status: row.response_status!, body: row.response_body! };
        // In flight: take it over only if its owner has clearly died.
        const cutoff = new Date(now - abandonAfterMs);
        const taken = await db
          .updateTable('idempotency_keys')
          .set({ locked_at: clock.now() })
          .where('client_id', '=', clientId)
          .where('key', '=', key)
          .where('state', '=', 'in_flight')
          .where('locked_at', '<', cutoff)
          .returning('key')
          .executeTakeFirst();
        if (taken) return { kind: 'proceed' };
        throw new ApiError(
          'idempotency_key_in_use',
          'A request with this Idempotency-Key is still being processed; retry after it completes.',
        );
      }
      throw new ApiError('idempotency_key_in_use', 'The Idempotency-Key is contended; retry shortly.');
    },

    async complete(clientId, key, status, body) {
      await db
        .updateTable('idempotency_keys')
        .set({ state: 'done', response_status: status, response_body: body })
        .where('client_id', '=', clientId)
        .where('key', '=', key)
        .where('state', '=', 'in_flight')
        .execute();
    },

    async release(clientId, key) {
      await db
        .deleteFrom('idempotency_keys')
        .where('client_id', '=', clientId)
        .where('key', '=', key)
        .where('state', '=', 'in_flight')
        .execute();
    },

    async cleanup() {
      const cutoff = new Date(clock.now().getTime() - IDEMPOTENCY_TTL_MS);
      const result = await db
        .deleteFrom('idempotency_keys')
        .where('created_at', '<', cutoff)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
