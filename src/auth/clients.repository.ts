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
    createdAt: row.created_at,
    secretHash: row.secret_hash,
  };
}

export interface NewClientRow {
  id: string;
  clientId: string;
  name: string;
  mode: 'test' | 'live';
  scopes: ClientScope[];
  secretHash: string;
  tokenEndpointAuthMethod: ApiClient['tokenEndpointAuthMethod'];
  jwks: ApiClient['jwks'];
  tlsSubjectDn: string | null;
  tlsCertThumbprint: string | null;
  uxTemplate: string;
  webhookUrl: string | null;
  trackingRequired: boolean;
  createdAt: Date;
}

export async function insertClient(db: Kysely<Database>, c: NewClientRow): Promise<ClientRow> {
  const row = await db
    .insertInto('api_clients')
    .values({
      id: c.id,
      client_id: c.clientId,
      name: c.name,
      mode: c.mode,
      scopes: c.scopes,
      secret_hash: c.secretHash,
      token_endpoint_auth_method: c.tokenEndpointAuthMethod,
      jwks: c.jwks ? JSON.stringify(c.jwks) : null,
      tls_subject_dn: c.tlsSubjectDn,
      tls_cert_thumbprint: c.tlsCertThumbprint,
      ux_template: c.uxTemplate,
      webhook_url: c.webhookUrl,
      tracking_required: c.trackingRequired,
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
