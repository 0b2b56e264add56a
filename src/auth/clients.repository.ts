import type { Kysely, Selectable } from 'kysely';
import type { ApiClientsTable, Database } from '../store/index.js';
import type { ApiClient, ClientScope } from './client.js';

type Row = Selectable<ApiClientsTable>;

export interface ClientRow extends ApiClient {
  secretHash: string;
}

function toClient(row: Row): ClientRow {
  return {
    id: row.id,
    clientId: row.client_id,
    name: row.name,
    mode: row.mode,
    scopes: row.scopes as ClientScope[],
    tokenEndpointAuthMethod: row.token_endpoint_auth_method,
    jwks: row.jwks,
    tlsSubjectDn: row.tls_subject_dn,
    tlsCertThumbprint: row.tls_cert_thumbprint,
    uxTemplate: row.ux_template,
    webhookUrl: row.webhook_url,
    trackingRequired: row.tracking_required,
    disabled: row.disabled,
    clientAppKey: row.client_app_key,
    redirectUris: row.redirect_uris,
    frameAncestors: row.frame_ancestors,
    v1sIdentity: row.v1s_identity,
    v1sJwks: row.v1s_jwks,
    createdAt: row.created_at,
    secretHash: row.secret_hash,
  };
}

/** The stored settings of a client (what create writes and update replaces). */
export interface ClientColumns {
  name: string;
  scopes: ClientScope[];
  tokenEndpointAuthMethod: ApiClient['tokenEndpointAuthMethod'];
  jwks: ApiClient['jwks'];
  tlsSubjectDn: string | null;
  tlsCertThumbprint: string | null;
  uxTemplate: string;
  webhookUrl: string | null;
  trackingRequired: boolean;
  redirectUris: string[];
  frameAncestors: string[];
  v1sIdentity: string | null;
  v1sJwks: ApiClient['v1sJwks'];
}

export interface NewClientRow extends ClientColumns {
  id: string;
  clientId: string;
  mode: 'test' | 'live';
  secretHash: string;
  clientAppKey: string;
  createdAt: Date;
}

const columnsOf = (c: ClientColumns) => ({
  name: c.name,
  scopes: c.scopes,
  token_endpoint_auth_method: c.tokenEndpointAuthMethod,
  jwks: c.jwks ? JSON.stringify(c.jwks) : null,
  tls_subject_dn: c.tlsSubjectDn,
  tls_cert_thumbprint: c.tlsCertThumbprint,
  ux_template: c.uxTemplate,
  webhook_url: c.webhookUrl,
  tracking_required: c.trackingRequired,
  redirect_uris: c.redirectUris,
  frame_ancestors: c.frameAncestors,
  v1s_identity: c.v1sIdentity,
  v1s_jwks: c.v1sJwks ? JSON.stringify(c.v1sJwks) : null,
});

export async function insertClient(db: Kysely<Database>, c: NewClientRow): Promise<ClientRow> {
  const row = await db
    .insertInto('api_clients')
    .values({
      ...columnsOf(c),
      id: c.id,
      client_id: c.clientId,
      mode: c.mode,
      secret_hash: c.secretHash,
      client_app_key: c.clientAppKey,
      created_at: c.createdAt,
      updated_at: c.createdAt,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toClient(row);
}

export async function findClientByClientId(
  db: Kysely<Database>,
  clientId: string,
): Promise<ClientRow | undefined> {
  const row = await db
    .selectFrom('api_clients')
    .selectAll()
    .where('client_id', '=', clientId)
    .executeTakeFirst();
  return row ? toClient(row) : undefined;
}

export async function listClientRows(db: Kysely<Database>): Promise<ClientRow[]> {
  const rows = await db.selectFrom('api_clients').selectAll().orderBy('created_at').orderBy('id').execute();
  return rows.map(toClient);
}

export async function countClients(db: Kysely<Database>): Promise<number> {
  const row = await db
    .selectFrom('api_clients')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function updateSecretHash(
  db: Kysely<Database>,
  clientId: string,
  secretHash: string,
  at: Date,
): Promise<boolean> {
  const result = await db
    .updateTable('api_clients')
    .set({ secret_hash: secretHash, secret_rotated_at: at, updated_at: at })
    .where('client_id', '=', clientId)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Replaces a client's settings (and its enabled state); undefined when there is no such client. */
export async function updateClient(
  db: Kysely<Database>,
  clientId: string,
  columns: ClientColumns & { disabled: boolean },
  at: Date,
): Promise<ClientRow | undefined> {
  const row = await db
    .updateTable('api_clients')
    .set({ ...columnsOf(columns), disabled: columns.disabled, updated_at: at })
    .where('client_id', '=', clientId)
    .returningAll()
    .executeTakeFirst();
  return row ? toClient(row) : undefined;
}

export async function updateAppKey(
  db: Kysely<Database>,
  clientId: string,
  clientAppKey: string,
  at: Date,
): Promise<boolean> {
  const result = await db
    .updateTable('api_clients')
    .set({ client_app_key: clientAppKey, updated_at: at })
    .where('client_id', '=', clientId)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}
