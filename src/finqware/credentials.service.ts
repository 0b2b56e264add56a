import { isDataReadable, isFinalConsentStatus } from '../ais/index.js';
import type { ApiClient } from '../auth/index.js';
import { wakeTask } from '../worker/index.js';
import { FinqwareError } from './errors.js';
import type { FinqwareContext } from './finqware.context.js';
import { hashSecret, isUuid, matchesHash, newSecret } from './secrets.js';
import type { CredentialStatus } from './session-status.js';
import {
  type CredentialRow,
  claimTempToken,
  findCredential,
  findSession,
  findSessionByReturnKey,
  findSessionByTempToken,
  insertCredential,
  markCredentialDeleted,
  type SessionRow,
  setCredentialStatus,
  updateSession,
} from './sessions.repository.js';

export const PURGE_TASK = 'finqware.purge';
const DAY_MS = 86_400_000;

/** Where the browser goes when it comes back from the bank (and the hosted consent page) to `/return/{key}`. */
export async function returnFromBank(ctx: FinqwareContext, returnKey: string): Promise<string | undefined> {
  const session = await findSessionByReturnKey(ctx.db, hashSecret(returnKey));
  if (!session?.consent_id || !session.psu_redirect_link) return undefined;
  const back = (params: Record<string, string>) => {
    const url = new URL(session.psu_redirect_link!);
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    return url.href;
  };
  if (session.status === 'SESSION_COMPLETED') return back({ error: 'session_already_completed' });
  if (session.status === 'SESSION_FAILED') return back({ error: session.error ?? 'access_denied' });
  const client = await ctx.clients.find(session.tenant);
  if (!client) return undefined;
  const consent = await ctx.ais.shared.consent(client, session.consent_id);
  const now = ctx.clock.now();
  if (isDataReadable(consent.status)) {
    const tempToken = newSecret(ctx.ids);
    const done = await updateSession(
      ctx.db,
      session.id,
      'SESSION_IN_PROGRESS',
      {
        status: 'SESSION_COMPLETED',
        temp_token_hash: hashSecret(tempToken),
        temp_token_expires_at: new Date(now.getTime() + ctx.settings.tempTokenTtlMs),
      },
      now,
    );
    return done ? back({ temp_token: tempToken }) : back({ error: 'session_already_completed' });
  }
  if (isFinalConsentStatus(consent.status)) {
    const code = consent.status === 'expired' ? 'expired' : 'access_denied';
    await updateSession(
      ctx.db,
      session.id,
      'SESSION_IN_PROGRESS',
      { status: 'SESSION_FAILED', error: code },
      now,
    );
    return back({ error: code });
  }
  // The user came back before the bank decided: the consent page waits and sends them here again.
  return ctx.ais.shared.pageUrl(consent);
}

export interface TokenAnswer {
  credentials_id: string;
  access_token: string;
  consent_exp: string;
  max_data_retention: string;
}

/** `POST /v1/tokens`: a temp_token (single use, 10 minutes) for a credentials_id and its access_token. */
export async function exchangeTempToken(
  ctx: FinqwareContext,
  client: ApiClient,
  tempToken: string,
): Promise<TokenAnswer> {
  const now = ctx.clock.now();
  const accessToken = newSecret(ctx.ids);
  const hash = hashSecret(tempToken);
  // The consent is read first, outside the transaction (the embedded database has one connection); the claim
  // and the new credential are one transaction, so a temp_token is never used up without its credential.
  const pending = await findSessionByTempToken(ctx.db, hash);
  const consent =
    pending?.consent_id && pending.client_id === client.id
      ? await ctx.ais.shared.consent(client, pending.consent_id)
      : undefined;
  const consentExp = consent?.authorizedUntil ?? new Date(now.getTime() + ctx.settings.consentDays * DAY_MS);
  const retention = new Date(now.getTime() + ctx.settings.retentionDays * DAY_MS);
  const credential = await ctx.db.transaction().execute(async (trx) => {
    const session = await claimTempToken(trx, { hash, clientId: client.id, now });
    if (!session) return undefined;
    return insertCredential(trx, {
      id: ctx.ids.uuid(),
      client_id: client.id,
      session_id: session.id,
      tenant_user_id: session.tenant_user_id,
      access_token_hash: hashSecret(accessToken),
      status: 'ACTIVE',
      consent_exp: consentExp,
      max_data_retention: retention,
      purge_at: retention,
      created_at: now,
      updated_at: now,
    });
  });
  if (!credential) {
    throw new FinqwareError('invalid_temp_token', 'The temp_token is unknown, used or expired (10 minutes).');
  }
  return {
    credentials_id: credential.id,
    access_token: accessToken,
    consent_exp: credential.consent_exp.toISOString(),
    max_data_retention: credential.max_data_retention.toISOString(),
  };
}

export interface CredentialKeys {
  credentials_id: string;
  access_token: string;
  tenant_user_id?: string | undefined;
}

export interface Credential {
  row: CredentialRow;
  session: SessionRow;
  status: CredentialStatus;
}

/** The tenant's credential with its status as of now (an ended consent is EXPIRED); wrong token → 401. */
export async function credentialOf(
  ctx: FinqwareContext,
  client: ApiClient,
  keys: CredentialKeys,
): Promise<Credential> {
  const row = isUuid(keys.credentials_id) ? await findCredential(ctx.db, keys.credentials_id) : undefined;
  if (!row || row.client_id !== client.id) {
    throw new FinqwareError('invalid_credentials_id', 'No credentials with this credentials_id.');
  }
  if (!matchesHash(keys.access_token, row.access_token_hash)) {
    throw new FinqwareError('invalid_access_token', 'The access_token does not match this credentials_id.');
  }
  if (keys.tenant_user_id !== undefined && keys.tenant_user_id !== row.tenant_user_id) {
    throw new FinqwareError('invalid_credentials_id', 'These credentials are not this tenant_user_id’s.');
  }
  const session = (await findSession(ctx.db, row.session_id))!;
  let status = row.status as CredentialStatus;
  if (status === 'ACTIVE' && (await hasEnded(ctx, client, row, session))) {
    status = 'EXPIRED';
    await setCredentialStatus(ctx.db, row.id, status, ctx.clock.now());
  }
  return { row, session, status };
}

async function hasEnded(ctx: FinqwareContext, client: ApiClient, row: CredentialRow, session: SessionRow) {
  if (row.consent_exp <= ctx.clock.now()) return true;
  if (!session.consent_id) return false;
  const consent = await ctx.ais.shared.consent(client, session.consent_id);
  return !isDataReadable(consent.status);
}

/** A credential the data endpoints may read: ACTIVE, else 401 inactive_credentials / expired_credentials. */
export async function activeCredential(
  ctx: FinqwareContext,
  client: ApiClient,
  keys: CredentialKeys,
): Promise<Credential & { consentId: string }> {
  const credential = await credentialOf(ctx, client, keys);
  if (credential.status === 'DELETED') {
    throw new FinqwareError('inactive_credentials', 'These credentials were deleted.');
  }
  if (credential.status === 'EXPIRED') {
    throw new FinqwareError('expired_credentials', 'The consent behind these credentials has ended.');
  }
  if (!credential.session.consent_id) {
    throw new FinqwareError('invalid_credentials_id', 'These credentials hold no account data.');
  }
  return { ...credential, consentId: credential.session.consent_id };
}

/** The longest a tenant may keep data after a delete: the data retention (120 days), in minutes. */
const MAX_RETENTION_MINUTES = 120 * 24 * 60;

/**
 * `POST /v1/consents/delete`: ACTIVE (or EXPIRED) → DELETED, idempotent. The bank's consent is deleted at the
 * bank; the cached data goes after `pcd_data_retention` minutes (0, the default: at once) by the purge task.
 */
export async function deleteCredential(
  ctx: FinqwareContext,
  client: ApiClient,
  keys: CredentialKeys,
  retentionMinutes: unknown,
): Promise<Credential> {
  const minutes = retentionMinutes ?? 0;
  if (
    typeof minutes !== 'number' ||
    !Number.isInteger(minutes) ||
    minutes < 0 ||
    minutes > MAX_RETENTION_MINUTES
  ) {
    throw new FinqwareError(
      'invalid_pcd_data_retention',
      `pcd_data_retention must be a whole number of minutes from 0 to ${MAX_RETENTION_MINUTES}.`,
    );
  }
  const credential = await credentialOf(ctx, client, keys);
  if (credential.status === 'DELETED') return credential;
  const now = ctx.clock.now();
  const deleted = await ctx.db.transaction().execute(async (trx) => {
    const row = await markCredentialDeleted(
      trx,
      credential.row.id,
      new Date(now.getTime() + minutes * 60_000),
      now,
    );
    if (row && minutes === 0) await wakeTask(trx, PURGE_TASK);
    return row;
  });
  if (deleted && credential.session.consent_id) {
    const consent = await ctx.ais.shared.consent(client, credential.session.consent_id);
    if (isDataReadable(consent.status)) await ctx.ais.shared.revoke(client, consent.id);
  }
  return { ...credential, row: deleted ?? credential.row, status: 'DELETED' };
}
