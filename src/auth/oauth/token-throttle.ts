import type { IncomingMessage } from 'node:http';
import type { KoaContextWithOIDC } from 'oidc-provider';
import { ApiError } from '../../shared/errors.js';
import type { Attempt, AuthThrottle } from '../auth-throttle.js';

/** The caller's address, stamped on the raw request by the Fastify route that hands it to oidc-provider. */
export type CallerAddress = IncomingMessage & { ferryAddress?: string };

/** The client id of an HTTP Basic header (client_secret_basic), if any. */
function basicClientId(header: string | undefined): string | undefined {
  const match = header ? /^Basic ([A-Za-z0-9+/=]+)$/i.exec(header) : null;
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon > 0 ? decodeURIComponent(decoded.slice(0, colon)) : undefined;
}

/**
 * Failed client authentication at the token endpoint, throttled with the API's: an address or a Basic client id
 * that spent its failures is refused before any hash is computed; each `invalid_client` counts one failure of the
 * address and the client id presented (Basic or form), and the failure that spends a key is already answered 429.
 * The answer is OAuth-shaped: `{error: "rate_limited", error_description}` with `Retry-After`.
 */
export function throttleTokenRequests(throttle: AuthThrottle) {
  const refuse = (ctx: KoaContextWithOIDC, error: ApiError) => {
    ctx.status = 429;
    ctx.set('Retry-After', String(error.extra.retry_after ?? 60));
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { error: 'rate_limited', error_description: error.message };
  };
  const guarded = async (ctx: KoaContextWithOIDC, step: () => Promise<void>) => {
    try {
      await step();
      return true;
    } catch (error) {
      if (!(error instanceof ApiError) || error.code !== 'rate_limited') throw error;
      refuse(ctx, error);
      return false;
    }
  };
  return async (ctx: KoaContextWithOIDC, next: () => Promise<void>) => {
    if (ctx.method !== 'POST' || ctx.path !== '/token') return next();
    const address = (ctx.req as CallerAddress).ferryAddress;
    const before: Attempt = { clientId: basicClientId(ctx.get('authorization') || undefined), address };
    if (!(await guarded(ctx, () => throttle.check(before)))) return;
    await next();
    if (ctx.status !== 401 || (ctx.body as { error?: string } | undefined)?.error !== 'invalid_client')
      return;
    const params = ctx.oidc?.params as { client_id?: unknown } | undefined;
    const formId = typeof params?.client_id === 'string' ? params.client_id : undefined;
    const attempt: Attempt = { clientId: before.clientId ?? formId, address };
    await guarded(ctx, () => throttle.fail(attempt));
  };
}
