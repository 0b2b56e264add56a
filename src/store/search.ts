import type { Kysely, Selectable } from 'kysely';
import type { Database } from './schema.js';

/** Tables the operator console can search: those with id, web_id, status, client_id and created_at. */
type Searchable = {
  [T in keyof Database]: Database[T] extends {
    id: unknown;
    web_id: unknown;
    status: unknown;
    client_id: unknown;
    created_at: unknown;
  }
    ? T
    : never;
}[keyof Database];

/** What the operator console searches by: an id or web_id, a status, a client, a creation window. */
export interface ObjectSearch<S extends string = string> {
  /** An object's id or its web_id. */
  q?: string | undefined;
  status?: S | undefined;
  /** The client's internal id. */
  clientId?: string | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
  limit: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Every client's rows of `table` matching the operator's search, newest first (not an API client's view). */
export async function searchObjects<T extends Searchable>(
  db: Kysely<Database>,
  table: T,
  s: ObjectSearch,
): Promise<Selectable<Database[T]>[]> {
  // Typed as one such table: every column used here has the same name and type in each of them.
  let query = db.selectFrom(table as Searchable as 'pay_links').selectAll();
  const q = s.q;
  if (q) {
    query = UUID.test(q)
      ? query.where((eb) => eb.or([eb('id', '=', q), eb('web_id', '=', q)]))
      : query.where('web_id', '=', q);
  }
  if (s.status) query = query.where('status', '=', s.status as never);
  if (s.clientId) query = query.where('client_id', '=', s.clientId);
  if (s.from) query = query.where('created_at', '>=', s.from);
  if (s.to) query = query.where('created_at', '<', s.to);
  const rows = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(s.limit).execute();
  return rows as unknown as Selectable<Database[T]>[];
}
