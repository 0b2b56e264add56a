import { ApiError, type ErrorCode } from '../shared/errors.js';
import type { Operator } from './operator.service.js';
import { OPERATOR_BASE } from './paths.js';

/** The operator API of a running server, as an `Operator`: what the CLI uses while a server holds the data. */
export function createRemoteOperator(opts: { url: string; token: string; as: string }): Operator {
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    let res: Response;
    try {
      res = await fetch(`${opts.url}${OPERATOR_BASE}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${opts.token}`,
          'x-ferry-actor': opts.as,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(30_000),
      });
    } catch (error) {
      throw new ApiError(
        'service_unavailable',
        `Cannot reach the running Ferry's operator API at ${opts.url}: ${(error as Error).message}`,
      );
    }
    const answer = (await res.json().catch(() => ({}))) as { error?: { code?: string; message?: string } };
    if (!res.ok) {
      const code = (answer.error?.code ?? 'internal_error') as ErrorCode;
      throw new ApiError(code, answer.error?.message ?? `The operator API answered ${res.status}.`);
    }
    return answer as T;
  };
  const id = (clientId: string) => `/clients/${encodeURIComponent(clientId)}`;
  return {
    listClients: async () =>
      (await call<{ clients: Awaited<ReturnType<Operator['listClients']>> }>('GET', '/clients')).clients,
    getClient: (clientId) => call('GET', id(clientId)),
    createClient: (input) => call('POST', '/clients', input),
    updateClient: (clientId, input) => call('PATCH', id(clientId), input),
    rotateSecret: (clientId) => call('POST', `${id(clientId)}/rotate-secret`),
    rotateAppKey: (clientId) => call('POST', `${id(clientId)}/rotate-app-key`),
    rotateKeys: () => call('POST', '/keys/rotate'),
    listKeys: () => call('GET', '/keys'),
    redeliverEvent: (eventId) => call('POST', `/webhooks/${encodeURIComponent(eventId)}/redeliver`),
    redeliverEvents: (filter) => call('POST', '/webhooks/redeliver', filter),
    audit: async (limit) =>
      (
        await call<{ entries: Awaited<ReturnType<Operator['audit']>> }>(
          'GET',
          `/audit${limit ? `?limit=${limit}` : ''}`,
        )
      ).entries,
  };
}
