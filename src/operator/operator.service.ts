import type { JWK } from 'jose';
import type { Kysely } from 'kysely';
import type { AisService } from '../ais/index.js';
import type { ClientsService } from '../auth/index.js';
import type { LinksService } from '../pay/index.js';
import type { BankCallLog, Catalogue } from '../providers/index.js';
import type { Clock } from '../shared/clock.js';
import { ApiError, validationError } from '../shared/errors.js';
import type { Ids } from '../shared/ids.js';
import type { Metrics } from '../shared/metrics.js';
import type { Database } from '../store/index.js';
import type { RotationResult, WebhookKeys, WebhooksService } from '../webhooks/index.js';
import { type AuditEntry, insertAudit, listAudit } from './audit.repository.js';
import {
  type ClientView,
  type CreatedClientView,
  clientView,
  createdClientView,
  fieldsOf,
  settingsOf,
} from './client.view.js';
import type { ClientInput, RedeliverFilter } from './operator.schema.js';

/** At most this many events are redelivered by one filtered redelivery; `more` says there were others. */
export const REDELIVER_SET_MAX = 500;

export interface RedeliveredSet {
  /** Events queued for delivery again. */
  redelivered: number;
  /** Matched events that cannot go again now (no webhook URL, say). */
  skipped: number;
  /** More events match than one call redelivers: call again. */
  more: boolean;
}

/** Who asks: `cli:<user>` for the CLI on this machine, `operator-token` for the operator API, with the address. */
export interface Actor {
  who: string;
  from?: string;
}

/**
 * Everything an operator does to API clients and signing keys, one way for the CLI (directly on the database,
 * or through a running server's operator API) and the operator API itself. Every call is audit-logged.
 */
export interface Operator {
  listClients(): Promise<ClientView[]>;
  getClient(clientId: string): Promise<ClientView>;
  createClient(input: ClientInput & { name: string }): Promise<CreatedClientView>;
  updateClient(clientId: string, input: ClientInput): Promise<ClientView>;
  rotateSecret(clientId: string): Promise<{ client_id: string; client_secret: string }>;
  rotateAppKey(clientId: string): Promise<{ client_id: string; client_app_key: string }>;
  rotateKeys(): Promise<RotationResult>;
  listKeys(): Promise<{ keys: JWK[] }>;
  /** Delivers a webhook event of any client's again (a new round, the retry schedule from the start). */
  redeliverEvent(eventId: string): Promise<{ event_id: string; status: string }>;
  /** Delivers again every event that matches (newest first, at most REDELIVER_SET_MAX). */
  redeliverEvents(filter: RedeliverFilter): Promise<RedeliveredSet>;
  audit(limit?: number): Promise<AuditView[]>;
}

export interface OperatorDeps {
  clients: ClientsService;
  /** Payment links (the console searches every client's). */
  links: LinksService;
  /** Consents and their refresh jobs (the console searches every client's). */
  ais: AisService;
  /** Webhook events and their attempts, and redelivery (the console). */
  webhooks: WebhooksService;
  /** Served at /metrics on the operator listener. */
  metrics: Metrics;
  keys: WebhookKeys;
  /** Every bank call: a link's or consent's calls, each bank's recent health (the console). */
  bankCalls: BankCallLog;
  /** The banks and their methods (the console's providers page). */
  catalogue: Catalogue;
  db: Kysely<Database>;
  clock: Clock;
  ids: Ids;
}

export type AuditView = ReturnType<typeof auditView>;
const auditView = (e: AuditEntry) => ({
  at: e.at.toISOString(),
  actor: e.actor,
  action: e.action,
  target: e.target,
  outcome: e.outcome,
  detail: e.detail,
});

export function createOperator(deps: OperatorDeps, actor: Actor): Operator {
  const { clients, keys, db, clock, ids } = deps;
  const who = actor.from ? `${actor.who} from ${actor.from}` : actor.who;

  /** Runs one action and records it, whatever its outcome (reads are not recorded: they change nothing). */
  const audited = async <T>(
    action: string,
    target: string | null,
    detail: Record<string, unknown> | null,
    run: () => Promise<T>,
  ): Promise<T> => {
    let outcome = 'ok';
    try {
      return await run();
    } catch (error) {
      outcome = error instanceof ApiError ? error.code : 'internal_error';
      throw error;
    } finally {
      await insertAudit(db, { id: ids.uuid(), at: clock.now(), actor: who, action, target, outcome, detail });
    }
  };
  const found = async (clientId: string) => {
    const client = await clients.find(clientId);
    if (!client) throw new ApiError('not_found', `No API client with client_id ${clientId}.`);
    return client;
  };

  return {
    listClients: async () => (await clients.list()).map(clientView),
    getClient: async (clientId) => clientView(await found(clientId)),

    createClient: (input) =>
      audited('clients.create', null, { fields: fieldsOf(input) }, async () => {
        if (input.enabled === false) throw validationError('enabled', 'a new client starts enabled');
        const created = await clients.create({ ...settingsOf(input), name: input.name, mode: input.mode });
        return createdClientView(created);
      }),

    updateClient: (clientId, input) =>
      audited('clients.update', clientId, { fields: fieldsOf(input) }, async () => {
        if (input.mode !== undefined) {
          throw validationError('mode', 'cannot change: create a client of the other mode instead');
        }
        return clientView(await clients.update(clientId, settingsOf(input)));
      }),

    rotateSecret: (clientId) =>
      audited('clients.rotate-secret', clientId, null, async () => ({
        client_id: clientId,
        client_secret: await clients.rotateSecret(clientId),
      })),

    rotateAppKey: (clientId) =>
      audited('clients.rotate-app-key', clientId, null, async () => ({
        client_id: clientId,
        client_app_key: await clients.rotateAppKey(clientId),
      })),

    rotateKeys: () => audited('keys.rotate', null, null, () => keys.rotate()),

    redeliverEvent: (eventId) =>
      audited('webhooks.redeliver', eventId, null, async () => {
        const { event } = await deps.webhooks.find(eventId);
        const client = (await clients.list()).find((c) => c.id === event.client);
        if (!client) throw new ApiError('not_found', 'No webhook event with that id.');
        const again = await deps.webhooks.redeliver(client, event.event_id);
        return { event_id: again.event_id, status: again.status };
      }),

    redeliverEvents: (filter) =>
      audited('webhooks.redeliver-set', filter.client_id ?? null, { states: filter.states }, async () => {
        const all = await clients.list();
        const one = filter.client_id === undefined ? undefined : await found(filter.client_id);
        const byId = new Map(all.map((c) => [c.id, c] as const));
        const events = await deps.webhooks.search({
          ...(one ? { client: one.id } : {}),
          states: filter.states,
          limit: REDELIVER_SET_MAX + 1,
        });
        let redelivered = 0;
        for (const event of events.slice(0, REDELIVER_SET_MAX)) {
          try {
            await deps.webhooks.redeliver(byId.get(event.client)!, event.event_id);
            redelivered++;
          } catch (error) {
            if (!(error instanceof ApiError) || error.status >= 500) throw error;
          }
        }
        const matched = Math.min(events.length, REDELIVER_SET_MAX);
        return { redelivered, skipped: matched - redelivered, more: events.length > REDELIVER_SET_MAX };
      }),
    listKeys: () => keys.jwks(),
    audit: async (limit = 50) => (await listAudit(db, limit)).map(auditView),
  };
}

/** A call to the operator API without the right token: recorded, with where it came from. */
export async function auditRefusal(deps: OperatorDeps, from: string, route: string): Promise<void> {
  await insertAudit(deps.db, {
    id: deps.ids.uuid(),
    at: deps.clock.now(),
    actor: `unauthenticated from ${from}`,
    action: route,
    target: null,
    outcome: 'unauthorized',
    detail: null,
  });
}
