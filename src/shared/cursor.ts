import { createHmac, timingSafeEqual } from 'node:crypto';
import { validationError } from './errors.js';

/**
 * The one cursor codec of every keyset list (links, balances, transactions, webhook events). A cursor is
 * base64url(version ‖ JSON [list, ...keyset] ‖ tag), the tag a truncated HMAC-SHA256 of what precedes it under a
 * key derived from the master key: every process accepts every cursor, and one that was edited, truncated, made
 * up or issued by another list is refused (400 validation_error on `pagination.after`) instead of silently
 * skipping or repeating rows. Opaque to clients; see docs/api-decisions.md.
 */

/** What one keyset column holds; each is checked on decode, so a repository only ever sees well-formed values. */
const parts = {
  /** An exact instant, microseconds kept (two rows in one millisecond on PostgreSQL keep their order). */
  timestamp: /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/,
  date: /^\d{4}-\d{2}-\d{2}$/,
  uuid: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
  /** A bigint sequence number, as PostgreSQL returns it (a string). */
  seq: /^\d{1,19}$/,
} as const;

export type KeysetPart = keyof typeof parts;
export type Keyset<P extends readonly KeysetPart[]> = { [K in keyof P]: string };

/** The cursors of one list. */
export interface ListCursor<P extends readonly KeysetPart[]> {
  encode(keyset: Keyset<P>): string;
  /** No cursor → undefined; one this list issued → its keyset; anything else → validation_error. */
  decode(cursor: string | undefined): Keyset<P> | undefined;
}

export interface CursorCodec {
  /** The cursors of the list `name` (unique per list), whose keyset is the columns `keyset`, in order. */
  list<const P extends readonly KeysetPart[]>(name: string, keyset: P): ListCursor<P>;
}

export const CURSOR_FIELD = 'pagination.after';
const VERSION = 1;
const TAG_BYTES = 16;
/** Longer than any cursor Ferry issues; refused before any work is done. */
const MAX_CURSOR_CHARS = 512;

export function createCursorCodec(key: Buffer): CursorCodec {
  const tag = (bytes: Buffer) => createHmac('sha256', key).update(bytes).digest().subarray(0, TAG_BYTES);
  const refused = () => validationError(CURSOR_FIELD, 'is not a cursor returned by this list');
  return {
    list(name, keyset) {
      return {
        encode(values) {
          const body = Buffer.concat([Buffer.of(VERSION), Buffer.from(JSON.stringify([name, ...values]))]);
          return Buffer.concat([body, tag(body)]).toString('base64url');
        },
        decode(cursor) {
          if (cursor === undefined) return undefined;
          if (cursor.length > MAX_CURSOR_CHARS || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw refused();
          const bytes = Buffer.from(cursor, 'base64url');
          // Only the one spelling Ferry wrote: base64url's spare low bits in the last character must not let an
          // edited cursor through.
          if (bytes.length <= 1 + TAG_BYTES || bytes[0] !== VERSION || bytes.toString('base64url') !== cursor)
            throw refused();
          const body = bytes.subarray(0, bytes.length - TAG_BYTES);
          if (!timingSafeEqual(bytes.subarray(body.length), tag(body))) throw refused();
          let parsed: unknown;
          try {
            parsed = JSON.parse(body.subarray(1).toString('utf8'));
          } catch {
            throw refused();
          }
          // A valid tag means Ferry wrote it; the shape is still checked, so that a list whose keyset changed
          // refuses its old cursors rather than passing the repository values of the wrong kind.
          if (!Array.isArray(parsed) || parsed[0] !== name || parsed.length !== keyset.length + 1)
            throw refused();
          const values = parsed.slice(1);
          if (!values.every((v, i) => typeof v === 'string' && parts[keyset[i]!].test(v))) throw refused();
          return values as Keyset<typeof keyset>;
        },
      };
    },
  };
}

/** The `pagination` object of every list response. */
export interface PageInfo {
  count: number;
  'more?': boolean;
  /** The cursor of the page's last item while there is more, else null: follow it until it is null. */
  after: string | null;
  limit: number;
}

export const DEFAULT_PAGE_SIZE = 50;

/**
 * One page from the `limit + 1` rows a repository returned (the extra one answers "more?"), with its
 * `pagination`; `cursorOf` is only asked for the last item of a page that has more after it.
 */
export function pageOf<T>(
  rows: readonly T[],
  limit: number,
  cursorOf: (row: T) => string,
): { page: T[]; pagination: PageInfo } {
  const page = rows.slice(0, limit);
  const more = rows.length > limit && page.length > 0;
  const last = page.at(-1);
  return {
    page,
    pagination: {
      count: page.length,
      'more?': more,
      after: more && last !== undefined ? cursorOf(last) : null,
      limit,
    },
  };
}
