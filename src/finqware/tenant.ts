import { timingSafeEqual } from 'node:crypto';
import type { ApiClient, ClientsService } from '../auth/index.js';
import { FinqwareError } from './errors.js';

/** Who may use the classic API: the clients, and whether live ones may (`FINQWARE_LIVE_CLIENTS`). */
export interface TenantGate {
  clients: ClientsService;
  liveClients: boolean;
}

/** What a classic request carries to say which tenant it is: the id and the app key or the secret. */
export interface TenantKeys {
  client_id: string;
  client_app_key?: string | undefined;
  client_secret?: string | undefined;
}

/**
 * The tenant of a request, by `client_id` and either key. The secret is checked as on FinqLink (hashed, the
 * same failure throttle); the app key is client-side safe and compared in constant time. A disabled client is
 * `unauthorized_tenant`. Which key a route takes is the route's rule: `need` names it.
 */
export async function authenticateTenant(
  gate: TenantGate,
  keys: TenantKeys,
  need: 'app_key' | 'secret' | 'either',
  address?: string,
): Promise<ApiClient> {
  const useSecret = need === 'secret' || (need === 'either' && keys.client_secret !== undefined);
  if (useSecret) {
    if (keys.client_secret === undefined)
      throw new FinqwareError('missing_fields', 'client_secret is required.');
    const client = await gate.clients.authenticateWithSecret(keys.client_id, keys.client_secret, address);
    if (!client) {
      const known = await gate.clients.find(keys.client_id);
      throw known
        ? new FinqwareError('invalid_client_secret', 'The client_secret does not match this client_id.')
        : new FinqwareError('invalid_client_id', 'No tenant app has this client_id.');
    }
    return usable(gate, client);
  }
  if (keys.client_app_key === undefined) {
    throw new FinqwareError(
      'missing_fields',
      need === 'either' ? 'client_app_key or client_secret is required.' : 'client_app_key is required.',
    );
  }
  const client = await gate.clients.find(keys.client_id);
  if (!client) throw new FinqwareError('invalid_client_id', 'No tenant app has this client_id.');
  if (!sameKey(client.clientAppKey, keys.client_app_key)) {
    throw new FinqwareError('invalid_client_app_key', 'The client_app_key does not match this client_id.');
  }
  return usable(gate, client);
}

/** The tenant of a request that carries only its `client_id` (a step: its nonce authorises it). */
export async function tenantById(gate: TenantGate, clientId: string): Promise<ApiClient> {
  const client = await gate.clients.find(clientId);
  if (!client) throw new FinqwareError('invalid_client_id', 'No tenant app has this client_id.');
  return usable(gate, client);
}

function usable(gate: TenantGate, client: ApiClient): ApiClient {
  if (client.disabled) throw new FinqwareError('unauthorized_tenant', 'This tenant app is disabled.');
  if (client.mode === 'live' && !gate.liveClients) {
    throw new FinqwareError(
      'unauthorized_tenant',
      'The classic API is not enabled for live tenants here (the operator sets FINQWARE_LIVE_CLIENTS=true).',
    );
  }
  return client;
}

function sameKey(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}
