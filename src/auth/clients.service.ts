import type { Kysely } from 'kysely';
import type { Clock } from '../shared/clock.js';
import { ApiError, validationError } from '../shared/errors.js';
import type { Ids } from '../shared/ids.js';
import { TtlCache } from '../shared/ttl-cache.js';
import type { Database } from '../store/index.js';
import type { AuthThrottle } from './auth-throttle.js';
import {
  type ApiClient,
  type ClientMode,
  type ClientScope,
  clientScopes,
  type TokenAuthMethod,
  uxTemplates,
} from './client.js';
import * as repo from './clients.repository.js';
import { hashSecret, VerifiedSecretCache, VerifyGate, verifySecret } from './secret-hash.js';

export interface CreateClientInput {
  name: string;
  mode?: ClientMode;
  scopes?: ClientScope[];
  webhookUrl?: string | null;
  uxTemplate?: string;
  jwks?: { keys: Record<string, unknown>[] } | null;
  tokenEndpointAuthMethod?: TokenAuthMethod;
  tlsSubjectDn?: string | null;
  tlsCertThumbprint?: string | null;
  trackingRequired?: boolean;
}

export interface CreatedClient {
  client: ApiClient;
  /** Shown once; only its hash is stored. */
  clientSecret: string;
}

export interface ClientsService {
  create(input: CreateClientInput): Promise<CreatedClient>;
  list(): Promise<ApiClient[]>;
  count(): Promise<number>;
  find(clientId: string): Promise<ApiClient | undefined>;
  rotateSecret(clientId: string): Promise<string>;
  /** Test-mode body credentials; undefined when the pair does not match an enabled client. */
  authenticateWithSecret(clientId: string, secret: string, address?: string): Promise<ApiClient | undefined>;
}

/** Checks a webhook URL for a client of `mode` (scheme, credentials, internal targets); throws validation_error. */
export type WebhookUrlCheck = (url: string, mode: ClientMode, field: string) => Promise<void>;

export function createClientsService(deps: {
  db: Kysely<Database>;
  clock: Clock;
  ids: Ids;
  checkWebhookUrl: WebhookUrlCheck;
  /** How long a client row is reused without reading it again (a change made by another process is
   * seen within that time; unknown ids are never cached); default 5 s, 0 = off. */
  rowCacheMs?: number;
  /** Throttles failed authentications (shared through the database); none when absent. */
  throttle?: AuthThrottle;
  /** Bounds concurrent secret hashing. */
  gate?: VerifyGate;
}): ClientsService {
  const { db, clock, ids, checkWebhookUrl, throttle } = deps;
  const gate = deps.gate ?? new VerifyGate();
  const verified = new VerifiedSecretCache();
  const rows = new TtlCache<repo.ClientRow>(deps.rowCacheMs ?? 5000);
  const findRow = async (clientId: string): Promise<repo.ClientRow | undefined> => {
    // Issued ids are `<mode>_<base64url>`; anything else (a NUL byte, which the database rejects) is unknown.
    if (!CLIENT_ID.test(clientId)) return undefined;
    const now = clock.now().getTime();
    const cached = rows.get(clientId, now);
    if (cached) return cached;
    const row = await repo.findClientByClientId(db, clientId);
    if (row) rows.set(clientId, row, now);
    return row;
  };
  const newSecret = () => `fsk_${ids.token(32)}`;
  const strip = ({ secretHash: _s, ...client }: repo.ClientRow): ApiClient => client;

  return {
    async create(input) {
      const mode = input.mode ?? 'test';
      const valid = validateCreate(input, mode);
      if (input.webhookUrl) await checkWebhookUrl(input.webhookUrl, mode, 'webhook_url');
      const clientSecret = newSecret();
      const row = await repo.insertClient(db, {
        id: ids.uuid(),
        clientId: `${mode}_${ids.token(15)}`,
        name: valid.name,
        mode,
        scopes: valid.scopes,
        secretHash: await hashSecret(clientSecret),
        tokenEndpointAuthMethod: valid.tokenEndpointAuthMethod,
        jwks: input.jwks ?? null,
        tlsSubjectDn: input.tlsSubjectDn ?? null,
        tlsCertThumbprint: input.tlsCertThumbprint ?? null,
        uxTemplate: input.uxTemplate ?? 'default',
        webhookUrl: input.webhookUrl ?? null,
        trackingRequired: input.trackingRequired ?? false,
        createdAt: clock.now(),
      });
      return { client: strip(row), clientSecret };
    },

    async list() {
      return (await repo.listClientRows(db)).map(strip);
    },

    count: () => repo.countClients(db),

    async find(clientId) {
      const row = await findRow(clientId);
      return row ? strip(row) : undefined;
    },

    async rotateSecret(clientId) {
      const secret = newSecret();
      const updated = await repo.updateSecretHash(db, clientId, await hashSecret(secret), clock.now());
      rows.delete(clientId);
      if (!updated) throw new ApiError('not_found', `No API client with client_id ${clientId}.`);
      return secret;
    },

    async authenticateWithSecret(clientId, secret, address) {
      const row = await findRow(clientId);
      const usable = row && !row.disabled ? row : undefined;
      const key = usable ? verified.key(usable.secretHash, secret) : undefined;
      const now = clock.now().getTime();
      if (usable && key && verified.has(key, now)) return strip(usable);
      // A hash is about to be spent: failures are throttled and hashing is bounded (unknown ids spend
      // comparable time on a dummy hash, so they cannot be told apart from wrong secrets).
      const attempt = { clientId, address };
      const ok = await gate.run(async () => {
        await throttle?.check(attempt);
        return verifySecret(secret, usable?.secretHash ?? DUMMY_HASH);
      }, key);
      if (ok === undefined) throw busy();
      if (!ok || !usable || !key) {
        // The failure that spends a key is already answered 429, as at the token endpoint.
        await throttle?.fail(attempt);
        return undefined;
      }
      verified.add(key, now);
      return strip(usable);
    },
  };
}

/** Too many secret checks in flight in this process: refused at once rather than queued. */
export const busy = () =>
  new ApiError('rate_limited', 'Too many authentication attempts in progress; try again shortly.', {
    retry_after: 1,
  });

const CLIENT_ID = /^[A-Za-z0-9_-]{1,128}$/;

// A well-formed hash of a random value, used only to equalise timing for unknown client ids.
const DUMMY_HASH = 'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

function validateCreate(input: CreateClientInput, mode: ClientMode) {
  const name = input.name?.trim() ?? '';
  if (name.length < 1 || name.length > 128) throw validationError('name', 'must be 1 to 128 characters');
  if (mode !== 'test' && mode !== 'live') throw validationError('mode', 'must be test or live');
  const scopes = input.scopes ?? [...clientScopes];
  if (scopes.length === 0 || scopes.some((s) => !clientScopes.includes(s))) {
    throw validationError('scopes', `must be a non-empty subset of ${clientScopes.join(', ')}`);
  }
  if (input.uxTemplate !== undefined && !(uxTemplates as readonly string[]).includes(input.uxTemplate)) {
    throw validationError('ux_template', `must be one of ${uxTemplates.join(', ')}`);
  }
  if (input.jwks) validateJwks(input.jwks);
  const tokenEndpointAuthMethod: TokenAuthMethod =
    input.tokenEndpointAuthMethod ?? (input.jwks ? 'private_key_jwt' : 'client_secret_basic');
  if (tokenEndpointAuthMethod === 'private_key_jwt' && !input.jwks) {
    throw validationError('jwks', 'is required for private_key_jwt');
  }
  if (tokenEndpointAuthMethod === 'tls_client_auth' && !input.tlsSubjectDn) {
    throw validationError('tls_subject_dn', 'is required for tls_client_auth');
  }
  return { name, scopes: [...new Set(scopes)], tokenEndpointAuthMethod };
}

const PUBLIC_KEY_TYPES = new Set(['RSA', 'EC', 'OKP']);

function validateJwks(jwks: { keys: Record<string, unknown>[] }): void {
  if (!jwks || !Array.isArray(jwks.keys) || jwks.keys.length === 0) {
    throw validationError('jwks', 'must be a JWK Set with at least one key');
  }
  for (const key of jwks.keys) {
    if (!key || typeof key !== 'object' || !PUBLIC_KEY_TYPES.has(String(key.kty))) {
      throw validationError('jwks', 'keys must be RSA, EC or OKP public keys');
    }
    if ('d' in key || 'p' in key || 'q' in key) throw validationError('jwks', 'must hold public keys only');
  }
}
