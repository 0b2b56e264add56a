import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import { type Kysely, sql } from 'kysely';
import type { Clock } from '../../shared/clock.js';
import type { SecretBox } from '../../shared/secret-box.js';
import type { Database } from '../../store/index.js';

export const accessTokenAlg = 'ES256';

export interface SigningKey {
  kid: string;
  publicJwk: JWK;
  privateJwk: JWK;
}

/**
 * Ferry's OAuth token signing keys (newest first), creating an ES256 pair on first start. Creation runs under
 * a transaction-scoped advisory lock, so two processes starting together end up with one key, not two.
 */
export async function ensureOAuthSigningKeys(
  db: Kysely<Database>,
  secretBox: SecretBox,
  clock: Clock,
): Promise<SigningKey[]> {
  const existing = await loadOAuthSigningKeys(db, secretBox);
  if (existing.length > 0) return existing;
  await db.transaction().execute(async (trx) => {
    await sql`SELECT pg_advisory_xact_lock(hashtext('ferry.signing_keys.oauth'))`.execute(trx);
    const present = await trx
      .selectFrom('signing_keys')
      .select('kid')
      .where('purpose', '=', 'oauth')
      .where('retired_at', 'is', null)
      .executeTakeFirst();
    if (present) return;
    const key = await newKey();
    await trx
      .insertInto('signing_keys')
      .values({
        kid: key.kid,
        purpose: 'oauth',
        alg: accessTokenAlg,
        public_jwk: JSON.stringify(key.publicJwk),
        private_enc: secretBox.seal(JSON.stringify(key.privateJwk)),
        created_at: clock.now(),
      })
      .execute();
  });
  return loadOAuthSigningKeys(db, secretBox);
}

export async function loadOAuthSigningKeys(
  db: Kysely<Database>,
  secretBox: SecretBox,
): Promise<SigningKey[]> {
  const rows = await db
    .selectFrom('signing_keys')
    .select(['kid', 'public_jwk', 'private_enc'])
    .where('purpose', '=', 'oauth')
    .where('retired_at', 'is', null)
    .orderBy('created_at', 'desc')
    .orderBy('kid')
    .execute();
  return rows.map((row) => ({
    kid: row.kid,
    publicJwk: row.public_jwk as JWK,
    privateJwk: JSON.parse(secretBox.open(row.private_enc)) as JWK,
  }));
}

async function newKey(): Promise<SigningKey> {
  const { publicKey, privateKey } = await generateKeyPair(accessTokenAlg, { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  const meta = { kid, alg: accessTokenAlg, use: 'sig' };
  return {
    kid,
    publicJwk: { ...publicJwk, ...meta },
    privateJwk: { ...(await exportJWK(privateKey)), ...meta },
  };
}
