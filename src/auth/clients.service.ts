import type { Kysely } from 'kysely';
import type { Clock } from '../shared/clock.js';
import { ApiError } from '../shared/errors.js';
import type { Ids } from '../shared/ids.js';
import { TtlCache } from '../shared/ttl-cache.js';
import type { Database } from '../store/index.js';
import type { AuthThrottle } from './auth-throttle.js';
import type { ApiClient, ClientMode } from './client.js';
import {
  type ClientSettings,
  checkSettings,
  type FullSettings,
  settingsDefaults,
} from './client-settings.js';
import * as repo from './clients.repository.js';
import { hashSecret, VerifiedSecretCache, VerifyGate, verifySecret } from './secret-hash.js';

export interface CreateClientInput extends ClientSettings {
  name: string;
  mode?: ClientMode;
}

/** A change of settings: what is given replaces what the client has; `disabled` enables or disables it. */
export interface UpdateClientInput extends ClientSettings {
  disabled?: boolean;
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
  /** Not found: 404 not_found. Invalid: 400 validation_error naming the field; nothing changes. */
  update(clientId: string, input: UpdateClientInput): Promise<ApiClient>;
  rotateSecret(clientId: string): Promise<string>;
  /** A new client_app_key; the previous one stops working at once. */
  rotateAppKey(clientId: string): Promise<string>;
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
  /** The row when `secret` is its secret, else false (throttled and bounded; unknown ids spend a dummy hash). */
  const checkSecret = async (
    row: repo.ClientRow | undefined,
    secret: string,
    attempt: { clientId: string; address?: string },
  ): Promise<repo.ClientRow | false> => {
    const usable = row && !row.disabled ? row : undefined;
    const key = usable ? verified.key(usable.secretHash, secret) : undefined;
    const now = clock.now().getTime();
    if (usable && key && verified.has(key, now)) return usable;
    const ok = await gate.run(async () => {
      await throttle?.check(attempt);
      return verifySecret(secret, usable?.secretHash ?? DUMMY_HASH);
    }, key);
    if (ok === undefined) throw busy();
    if (!ok || !usable || !key) return false;
    verified.add(key, now);
    return usable;
  };
  const newSecret = () => `fsk_${ids.token(32)}`;
  const newAppKey = () => `fak_${ids.token(24)}`;
  const notFound = (clientId: string) =>
    new ApiError('not_found', `No API client with client_id ${clientId}.`);
  const strip = ({ secretHash: _s, ...client }: repo.ClientRow): ApiClient => client;

  return {
    async create(input) {
      const mode = input.mode ?? 'test';
      const valid = checkSettings(
        withAuthDefault({ ...settingsDefaults(mode), ...defined(input), mode }, input),
      );
      if (valid.webhookUrl) await checkWebhookUrl(valid.webhookUrl, mode, 'webhook_url');
      const clientSecret = newSecret();
      const row = await repo.insertClient(db, {
        ...valid,
        id: ids.uuid(),
        clientId: `${mode}_${ids.token(15)}`,
        mode,
        secretHash: await hashSecret(clientSecret),
        clientAppKey: newAppKey(),
        createdAt: clock.now(),
      });
      return { client: strip(row), clientSecret };
    },

    async update(clientId, input) {
      // Issued ids only (a NUL byte would reach the database as an error, not a miss).
      const current = CLIENT_ID.test(clientId) ? await repo.findClientByClientId(db, clientId) : undefined;
      if (!current) throw notFound(clientId);
      const { disabled, ...settings } = defined(input);
      const valid = checkSettings(withAuthDefault({ ...current, ...settings }, settings));
      if (settings.webhookUrl) await checkWebhookUrl(settings.webhookUrl, current.mode, 'webhook_url');
      const row = await repo.updateClient(
        db,
        clientId,
        { ...valid, disabled: disabled ?? current.disabled },
        clock.now(),
      );
      rows.delete(clientId);
      if (!row) throw notFound(clientId);
      return strip(row);
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
      if (!updated) throw notFound(clientId);
      return secret;
    },

    async rotateAppKey(clientId) {
      const key = newAppKey();
      const updated = await repo.updateAppKey(db, clientId, key, clock.now());
      rows.delete(clientId);
      if (!updated) throw notFound(clientId);
      return key;
    },

    async authenticateWithSecret(clientId, secret, address) {
      const attempt = { clientId, address };
      const row = await findRow(clientId);
      let result = await checkSecret(row, secret, attempt);
      if (result === false && row) {
        // The row may be a cached copy from before a rotation made by another process (the CLI on a shared
        // PostgreSQL database): a new secret must work at once, so a failure looks at the current row once.
        const fresh = await repo.findClientByClientId(db, clientId);
        if (fresh && fresh.secretHash !== row.secretHash) {
          rows.set(clientId, fresh, clock.now().getTime());
          result = await checkSecret(fresh, secret, attempt);
        }
      }
      if (result === false) {
        // The failure that spends a key is already answered 429, as at the token endpoint.
        await throttle?.fail(attempt);
        return undefined;
      }
      return strip(result);
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

/** The input without its undefined fields, so that spreading it keeps what it does not name. */
function defined<T extends object>(input: T): Partial<T> {
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Giving JWKS without naming an auth method means private_key_jwt (as `ferry clients create --jwks-file`). */
function withAuthDefault(merged: FullSettings, given: ClientSettings): FullSettings {
  if (given.tokenEndpointAuthMethod || !given.jwks) return merged;
  return { ...merged, tokenEndpointAuthMethod: 'private_key_jwt' };
}
