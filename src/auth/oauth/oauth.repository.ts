import type { Kysely } from 'kysely';
import type { Database } from '../../store/index.js';
import type { OAuthClientRow } from './client-metadata.js';

export async function findOAuthClient(
  db: Kysely<Database>,
  clientId: string,
): Promise<OAuthClientRow | undefined> {
  const row = await db
    .selectFrom('api_clients')
    .select([
      'client_id',
      'scopes',
      'secret_hash',
      'token_endpoint_auth_method',
      'jwks',
      'tls_subject_dn',
      'tls_cert_thumbprint',
      'disabled',
    ])
    .where('client_id', '=', clientId)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    clientId: row.client_id,
    scopes: row.scopes,
    secretHash: row.secret_hash,
    tokenEndpointAuthMethod: row.token_endpoint_auth_method,
    jwks: row.jwks,
    tlsSubjectDn: row.tls_subject_dn,
    tlsCertThumbprint: row.tls_cert_thumbprint,
    disabled: row.disabled,
  };
}

/**
 * Records a client assertion's jti; false when it was already used. One statement, so concurrent replays
 * race on the primary key and exactly one wins. A jti whose earlier record has expired may be used again.
 */
export async function recordAssertionJti(
  db: Kysely<Database>,
  clientId: string,
  jti: string,
  expiresAt: Date,
  now: Date,
): Promise<boolean> {
  const row = await db
    .insertInto('oauth_replay')
    .values({ client_id: clientId, jti, expires_at: expiresAt })
    .onConflict((oc) =>
      oc
        .columns(['client_id', 'jti'])
        .doUpdateSet({ expires_at: expiresAt })
        .where('oauth_replay.expires_at', '<', now),
    )
    .returning('jti')
    .executeTakeFirst();
  return row !== undefined;
}

export interface ArtifactRow {
  payload: Record<string, unknown>;
  consumedAt: Date | null;
}

export async function upsertArtifact(
  db: Kysely<Database>,
  model: string,
  id: string,
  payload: Record<string, unknown>,
  expiresAt: Date | null,
): Promise<void> {
  const values = {
    payload: JSON.stringify(payload),
    grant_id: str(payload.grantId),
    uid: str(payload.uid),
    user_code: str(payload.userCode),
    expires_at: expiresAt,
  };
  await db
    .insertInto('oauth_artifacts')
    .values({ model, id, ...values })
    .onConflict((oc) => oc.columns(['model', 'id']).doUpdateSet(values))
    .execute();
}

export async function findArtifact(
  db: Kysely<Database>,
  model: string,
  column: 'id' | 'uid' | 'user_code',
  value: string,
  now: Date,
): Promise<ArtifactRow | undefined> {
  const row = await db
    .selectFrom('oauth_artifacts')
    .select(['payload', 'consumed_at'])
    .where('model', '=', model)
    .where(column, '=', value)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
    .executeTakeFirst();
  return row ? { payload: row.payload, consumedAt: row.consumed_at } : undefined;
}

/** Marks an artifact consumed; false when it was already consumed (or is gone), so a second use loses. */
export async function consumeArtifact(
  db: Kysely<Database>,
  model: string,
  id: string,
  now: Date,
): Promise<boolean> {
  const row = await db
    .updateTable('oauth_artifacts')
    .set({ consumed_at: now })
    .where('model', '=', model)
    .where('id', '=', id)
    .where('consumed_at', 'is', null)
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

export async function deleteArtifact(db: Kysely<Database>, model: string, id: string): Promise<void> {
  await db.deleteFrom('oauth_artifacts').where('model', '=', model).where('id', '=', id).execute();
}

export async function deleteArtifactsByGrant(db: Kysely<Database>, grantId: string): Promise<void> {
  await db.deleteFrom('oauth_artifacts').where('grant_id', '=', grantId).execute();
}

/** Deletes expired replay records and artifacts; returns how many rows went. */
export async function deleteExpired(db: Kysely<Database>, now: Date): Promise<number> {
  const replay = await db.deleteFrom('oauth_replay').where('expires_at', '<', now).executeTakeFirst();
  const artifacts = await db.deleteFrom('oauth_artifacts').where('expires_at', '<', now).executeTakeFirst();
  return Number(replay.numDeletedRows) + Number(artifacts.numDeletedRows);
}

function str(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}
