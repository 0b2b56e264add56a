/**
 * The links/list keyset: (created_at, link_id) of a link, opaque to clients (base64url JSON). Microseconds are
 * kept so two links in the same millisecond on PostgreSQL never share a cursor position.
 */
export interface Keyset {
  at: string;
  id: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/;

export function encodeKeyset(k: Keyset): string {
  return Buffer.from(JSON.stringify([k.at, k.id]), 'utf8').toString('base64url');
}

/** undefined when the text is not a cursor Ferry issued. */
export function decodeKeyset(text: string): Keyset | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(text)) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (!Array.isArray(value) || value.length !== 2) return undefined;
    const [at, id] = value as unknown[];
    if (typeof at !== 'string' || typeof id !== 'string' || !TIMESTAMP.test(at) || !UUID.test(id))
      return undefined;
    return { at, id };
  } catch {
    return undefined;
  }
}
