import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import pino from 'pino';
import {
  type AisService,
  addAisMetrics,
  type CreateAisOptions,
  createAisService,
  defaultAisSettings,
  registerAisWorker,
} from './ais/index.js';
import {
  createIdempotencyStore,
  createRateLimiter,
  type IdempotencyStore,
  type RateLimiter,
} from './api/index.js';
import {
  type ClientsService,
  createAuthThrottle,
  createClientsService,
  createOAuthServer,
  type OAuthServer,
  VerifyGate,
} from './auth/index.js';
import type { Config } from './config/index.js';
import {
  type BankConnector,
  createDevQsealc,
  createNextGenPsd2Connector,
  meteredConnector,
} from './connectors/index.js';
import { createFinqwareService, type FinqwareService, registerFinqwareWorker } from './finqware/index.js';
import { registerMaintenance } from './maintenance.js';
import { type Actor, createOperator, type Operator, type OperatorDeps } from './operator/index.js';
import { addPayMetrics, createPayService, type PayService, registerPayWorker } from './pay/index.js';
import { type BankCallLog, type Catalogue, createBankCallLog, loadCatalogue } from './providers/index.js';
import { type Clock, systemClock } from './shared/clock.js';
import { type CursorCodec, createCursorCodec } from './shared/cursor.js';
import { type Ids, randomIds } from './shared/ids.js';
import { createMetrics, type Metrics } from './shared/metrics.js';
import { loggerOptions } from './shared/redact.js';
import { createSecretBox, type SecretBox } from './shared/secret-box.js';
import { addStoreMetrics, type Store } from './store/index.js';
import { addWebhookMetrics, createWebhooksService, type WebhooksService } from './webhooks/index.js';
import { createWorkerRegistry, type WorkerRegistry } from './worker/index.js';

/** How long the bank call log keeps a call (the maintenance task deletes older ones). */
const BANK_CALL_RETENTION_DAYS = 30;

/** Everything a Ferry process runs on, built once (the composition root for the app, the CLI and workers). */
export interface Services {
  config: Config;
  store: Store;
  clock: Clock;
  ids: Ids;
  secretBox: SecretBox;
  clients: ClientsService;
  oauth: OAuthServer;
  catalogue: Catalogue;
  /** Background work modules register (queues, schedules); `startWorker` runs it. */
  worker: WorkerRegistry;
  webhooks: WebhooksService;
  pay: PayService;
  /** FinqLink Data: consents, refresh jobs, account data. */
  ais: AisService;
  /** The classic Finqware API's sessions and credentials over the same consents. */
  finqware: FinqwareService;
  /** Signs and checks every list's pagination cursors (one key in every process). */
  cursors: CursorCodec;
  /** A key for one purpose (e.g. hosted-page CSRF), derived from the master key: the same in every process. */
  deriveKey(purpose: string): Buffer;
  /** This process's metrics (served on the operator listener at /metrics). */
  metrics: Metrics;
  /** Every bank call (the operator console's per-object calls and bank health); flushed before the store closes. */
  bankCalls: BankCallLog;
  /** Idempotency keys and rate limits for the API (shared across processes through the database). */
  guards: { idempotency: IdempotencyStore; rateLimiter: RateLimiter };
  /** What the operator API serves and the CLI does: clients and keys, audit-logged under `actor`. */
  operatorDeps: OperatorDeps;
  operator(actor: Actor): Operator;
}

export interface ServiceDeps {
  store: Store;
  masterKey: Buffer;
  clock?: Clock;
  ids?: Ids;
  /** The bank connector (tests may pass a fake). */
  connector?: BankConnector;
  /** AIS tunables over the configured ones. */
  ais?: Pick<CreateAisOptions, 'settings'>;
}

export async function createServices(config: Config, deps: ServiceDeps): Promise<Services> {
  const clock = deps.clock ?? systemClock;
  const ids = deps.ids ?? randomIds;
  const secretBox = createSecretBox(deps.masterKey);
  const { store } = deps;
  const deriveKey = (purpose: string) => createHmac('sha256', deps.masterKey).update(purpose).digest();
  // One key for every list's cursors: each cursor names its list, so none is accepted by another.
  const cursors = createCursorCodec(deriveKey('ferry: list cursors'));
  // Webhook URLs are checked by the webhooks module's one validator (SSRF rules included), bound late.
  // Failed authentications, throttled across processes; one hashing gate for the API and the token endpoint.
  const authThrottle = createAuthThrottle({ db: store.db, clock, limits: config.authFailureLimits });
  const verifyGate = new VerifyGate();
  const clients = createClientsService({
    db: store.db,
    clock,
    ids,
    throttle: authThrottle,
    gate: verifyGate,
    checkWebhookUrl: (url, mode, field) => webhooks.validateUrl(url, mode, field),
    rowCacheMs: config.clientCacheMs,
  });
  const oauth = await createOAuthServer({
    config,
    db: store.db,
    clock,
    ids,
    secretBox,
    throttle: authThrottle,
    gate: verifyGate,
  });
  const catalogue = await loadCatalogue(config.providersFile);
  const guards = {
    idempotency: createIdempotencyStore({ db: store.db, clock, abandonAfterMs: 2 * config.requestTimeoutMs }),
    rateLimiter: createRateLimiter({ db: store.db, clock, limits: config.rateLimits }),
  };
  const worker = createWorkerRegistry();
  // Background failures that are not a caller's (a webhook attempt failing inside Ferry) go to this log.
  const log = pino({ ...loggerOptions(config.logLevel), name: 'ferry' });
  const metrics = createMetrics();
  const webhooks = createWebhooksService({
    config,
    store,
    clock,
    secretBox,
    worker,
    cursors,
    log,
    onAttempt: metrics.webhookAttempt,
  });
  // The one way to banks, the sandbox included (cec_ro wants a QSealC: without one its calls are refused).
  const bankCalls = createBankCallLog({
    db: store.db,
    clock,
    retentionDays: BANK_CALL_RETENTION_DAYS,
    onError: (error) => log.warn({ err: error }, 'bank call log write failed'),
  });
  const connector = meteredConnector(
    deps.connector ?? createNextGenPsd2Connector({ ids, clock, qsealc: qsealcOf(config, clock) }),
    (call) => {
      metrics.bankCall(call.provider, call.operation, call.outcome, call.seconds);
      bankCalls.record(call);
    },
  );
  registerMaintenance({ worker, oauth, guards, bankCalls });
  const pay = createPayService({
    db: store.db,
    clock,
    ids,
    catalogue,
    connector,
    secretBox,
    publicUrl: config.publicUrl,
    webhookAllowHosts: config.webhooks.allowHosts,
    cursors,
    masterKey: deps.masterKey,
  });
  registerPayWorker(worker, pay);
  const ais = createAisService({
    db: store.db,
    clock,
    ids,
    catalogue,
    connector,
    publicUrl: config.publicUrl,
    cursors,
    secretBox,
    pool: store.pool,
    settings: {
      cooldownSeconds: {
        live: config.ais.refreshCooldownSeconds,
        test: config.ais.testRefreshCooldownSeconds,
      },
      taskEveryMs: { ...defaultAisSettings.taskEveryMs, jobs: config.ais.jobPollMs },
      webhookAllowHosts: config.webhooks.allowHosts,
      ...deps.ais?.settings,
    },
  });
  registerAisWorker(worker, ais);
  const finqware = createFinqwareService({
    db: store.db,
    clock,
    ids,
    clients,
    catalogue,
    ais,
    publicUrl: config.publicUrl,
    prefix: config.finqware.prefix,
    audience: config.finqware.audience,
    liveClients: config.finqware.liveClients,
    log: (message, fields) => log.error(fields, message),
  });
  registerFinqwareWorker(worker, finqware);
  addStoreMetrics(metrics, store);
  addWebhookMetrics(metrics, store.db);
  addPayMetrics(metrics, store.db);
  addAisMetrics(metrics, store.db);
  const operatorDeps: OperatorDeps = {
    clients,
    links: pay.links,
    ais,
    webhooks,
    keys: webhooks.keys,
    bankCalls,
    catalogue,
    db: store.db,
    clock,
    ids,
    metrics,
  };
  return {
    metrics,
    bankCalls,
    operatorDeps,
    operator: (actor) => createOperator(operatorDeps, actor),
    config,
    store,
    clock,
    ids,
    secretBox,
    clients,
    oauth,
    catalogue,
    guards,
    worker,
    webhooks,
    pay,
    ais,
    finqware,
    deriveKey,
    cursors,
  };
}

/** The operator's QSealC, or a development one (good for the sandbox banks only). */
/** The configured QSealC, or a development one made on the first signed request (not at start). */
function qsealcOf(config: Config, clock: Clock) {
  if (!config.qsealc) return () => createDevQsealc(clock.now());
  return {
    cert: readFileSync(config.qsealc.certFile, 'utf8'),
    key: readFileSync(config.qsealc.keyFile, 'utf8'),
  };
}
