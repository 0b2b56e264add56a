/**
 * FinqLink Data (AIS): consents and their lifecycle, refresh jobs, accounts, balance history and transactions,
 * the hosted consent page, and the background work (jobs, expiry and validity sweeps, bank checks).
 */

import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import type { RpcDeps } from '../api/index.js';
import type { BankConnector } from '../connectors/index.js';
import type { Catalogue } from '../providers/index.js';
import type { Clock } from '../shared/clock.js';
import type { CursorCodec } from '../shared/cursor.js';
import type { Ids } from '../shared/ids.js';
import type { SecretBox } from '../shared/secret-box.js';
import { countByStatus, type Store } from '../store/index.js';
import type { HostedPages } from '../webui/index.js';
import type { WorkerRegistry } from '../worker/index.js';
import { type AisDeps, type AisSettings, aisCursors, defaultAisSettings } from './ais.context.js';
import { registerAisApi } from './ais.routes.js';
import { type AisBackground, addAisTasks, createAisBackground } from './ais.tasks.js';
import { createBulkCopy } from './bulk-copy.js';
import { type Consent, type ConsentSearch, findConsent, searchConsents } from './consent.repository.js';
import { consentPage } from './consent-page.routes.js';
import { type Job, listJobsOf } from './job.repository.js';
import { type AisSharedAccess, createSharedAccess } from './shared-access.js';
import './ais.schema.js';
import type { Metrics } from '../shared/metrics.js';

export type { AisDeps, AisSettings } from './ais.context.js';
export { defaultAisSettings } from './ais.context.js';
export type { AisBackground } from './ais.tasks.js';
export { aisTaskNames } from './ais.tasks.js';
export type { Consent, ConsentSearch } from './consent.repository.js';
export type { CreateConsentInput } from './consent.service.js';
export { fullScope } from './consent.service.js';
export type { ConsentEvent, ConsentStatus } from './consent-status.js';
export {
  consentStatuses,
  isDataReadable,
  isFinalConsentStatus,
  nextConsentStatus,
} from './consent-status.js';
export type { AccountRow, BalanceRow, ListedTransaction } from './data.repository.js';
export type { TransactionFilterInput } from './data.service.js';
export type { Job } from './job.repository.js';
export type { RunOutcome } from './job-runner.js';
export type { JobEvent, JobStatus } from './job-status.js';
export { jobStatuses, nextJobStatus } from './job-status.js';
export type { AisSharedAccess } from './shared-access.js';
export { utxId } from './utx.js';

export interface AisService {
  /** The sweeps and the job runner one at a time (the worker tasks run them; tests call them directly). */
  background: AisBackground;
  /** The `pagination.after` of a transactions page that ends at this row (benchmarks start mid-list). */
  transactionsCursor(row: { sortDate: string; id: string }): string;
  /** Every client's consents matching the operator's search, newest first (the operator console). */
  search(filter: ConsentSearch): Promise<Consent[]>;
  /** Any client's consent with its newest refresh jobs (the operator console); undefined when there is none. */
  detail(consentId: string): Promise<{ consent: Consent; jobs: Job[] } | undefined>;
  /** The same consents and data for the other API surfaces (the classic Finqware API, finX). */
  shared: AisSharedAccess;
}

/** What the routes of this module run on: kept here, out of the service's public shape. */
const depsOf = new WeakMap<AisService, AisDeps>();

export interface CreateAisOptions {
  db: Store['db'];
  clock: Clock;
  ids: Ids;
  catalogue: Catalogue;
  connector: BankConnector;
  publicUrl: string;
  /** Signs and checks the balances and transactions cursors (the key is the same in every process). */
  cursors: CursorCodec;
  secretBox: SecretBox;
  settings?: Partial<AisSettings>;
  log?: AisDeps['log'];
  /** The PostgreSQL pool, when Ferry runs on a server: first jobs then stream histories with COPY. */
  pool?: pg.Pool | undefined;
}

export function createAisService(o: CreateAisOptions): AisService {
  const deps: AisDeps = {
    db: o.db,
    clock: o.clock,
    ids: o.ids,
    catalogue: o.catalogue,
    connector: o.connector,
    publicUrl: o.publicUrl,
    cursors: aisCursors(o.cursors),
    secretBox: o.secretBox,
    settings: { ...defaultAisSettings, ...o.settings },
    bulk: o.pool ? createBulkCopy(o.pool) : undefined,
    log: o.log ?? (() => {}),
  };
  const service: AisService = {
    background: createAisBackground(deps),
    transactionsCursor: ({ sortDate, id }) => deps.cursors.transactions.encode([sortDate, id]),
    search: (filter) => searchConsents(deps.db, filter),
    async detail(consentId) {
      const consent = await findConsent(deps.db, consentId);
      return consent ? { consent, jobs: await listJobsOf(deps.db, consent.id, 20) } : undefined;
    },
    shared: createSharedAccess(deps),
  };
  depsOf.set(service, deps);
  return service;
}

/** Adds the AIS tasks (`ais.jobs` and the sweeps) to the worker (`ferry start` / `ferry worker` run them). */
export function registerAisWorker(registry: WorkerRegistry, ais: AisService): void {
  const deps = depsOf.get(ais);
  if (!deps) throw new Error('registerAisWorker needs the service createAisService made');
  addAisTasks(registry, deps, ais.background);
}

/** The /v2 and /test Data API and the hosted consent page. */
export async function registerAisRoutes(
  app: FastifyInstance,
  deps: RpcDeps & { ais: AisService; pages: HostedPages },
): Promise<void> {
  const ais = depsOf.get(deps.ais);
  if (!ais) throw new Error('registerAisRoutes needs the service createAisService made');
  registerAisApi(app, deps, ais);
  await deps.pages.register(consentPage(ais));
}
export { openBankConsentId } from './bank-consent-id.js';

/** Consents and refresh jobs by status, read at each scrape of /metrics. */
export function addAisMetrics(metrics: Metrics, db: Store['db']): void {
  metrics.gauge('ferry_ais_consents', 'AIS consents by status', ['status'], async () =>
    (await countByStatus(db, 'ais_consents')).map(({ status, n }) => ({ labels: { status }, value: n })),
  );
  metrics.gauge('ferry_ais_jobs', 'AIS refresh jobs by status', ['status'], async () =>
    (await countByStatus(db, 'ais_jobs')).map(({ status, n }) => ({ labels: { status }, value: n })),
  );
}
