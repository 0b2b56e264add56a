import type { Kysely } from 'kysely';
// Before oidc-provider loads: see oidc-runtime.ts.
import './oidc-runtime.js';
import { type Adapter, type AdapterFactory, type AdapterPayload, errors } from 'oidc-provider';
import type { Clock } from '../../shared/clock.js';
import type { Database } from '../../store/index.js';
import { clientMetadata } from './client-metadata.js';
import * as repo from './oauth.repository.js';

/**
 * oidc-provider storage. Clients come from api_clients (read on each token request, so disabling a client or
 * rotating its secret takes effect at once); everything else the library persists goes to oauth_artifacts.
 * JWT access tokens are not stored, and jti replay detection bypasses this adapter (see provider.ts).
 */
export function createAdapterFactory(db: Kysely<Database>, clock: Clock, mtls: boolean): AdapterFactory {
  return (model) => (model === 'Client' ? clientAdapter(db, mtls) : artifactAdapter(db, clock, model));
}

function clientAdapter(db: Kysely<Database>, mtls: boolean): Adapter {
  const readOnly = async () => {
    throw new Error('API clients are managed by Ferry, not by the authorization server');
  };
  return {
    async find(id) {
      if (id.length > 128) return undefined;
      const row = await repo.findOAuthClient(db, id);
      return row ? clientMetadata(row, mtls) : undefined;
    },
    upsert: readOnly,
    consume: readOnly,
    destroy: readOnly,
    revokeByGrantId: readOnly,
    findByUid: async () => undefined,
    findByUserCode: async () => undefined,
  };
}

function artifactAdapter(db: Kysely<Database>, clock: Clock, model: string): Adapter {
  const payloadOf = (row: repo.ArtifactRow | undefined): AdapterPayload | undefined => {
    if (!row) return undefined;
    const consumed = row.consumedAt ? { consumed: Math.floor(row.consumedAt.getTime() / 1000) } : {};
    return { ...(row.payload as AdapterPayload), ...consumed };
  };
  return {
    async upsert(id, payload, expiresIn) {
      const expiresAt = expiresIn ? new Date(clock.now().getTime() + expiresIn * 1000) : null;
      await repo.upsertArtifact(db, model, id, payload as Record<string, unknown>, expiresAt);
    },
    find: async (id) => payloadOf(await repo.findArtifact(db, model, 'id', id, clock.now())),
    findByUid: async (uid) => payloadOf(await repo.findArtifact(db, model, 'uid', uid, clock.now())),
    findByUserCode: async (code) =>
      payloadOf(await repo.findArtifact(db, model, 'user_code', code, clock.now())),
    async consume(id) {
      // oidc-provider checks `consumed` after a read; the conditional update closes the race between two uses.
      if (!(await repo.consumeArtifact(db, model, id, clock.now()))) {
        throw new errors.InvalidGrant('grant request is invalid');
      }
    },
    destroy: (id) => repo.deleteArtifact(db, model, id),
    revokeByGrantId: (grantId) => repo.deleteArtifactsByGrant(db, grantId),
  };
}
