import type { Kysely } from 'kysely';
import type { BankConnector, BankEndpoint } from '../connectors/index.js';
import type { AisMethod, Catalogue } from '../providers/index.js';
import type { Clock } from '../shared/clock.js';
import type { CursorCodec } from '../shared/cursor.js';
import type { Ids } from '../shared/ids.js';
import type { SecretBox } from '../shared/secret-box.js';
import type { Database } from '../store/index.js';
import type { BulkCopy } from './bulk-copy.js';
import type { Consent } from './consent.repository.js';

/** Tunables of FinqLink Data; defaults below, the cooldowns come from the configuration. */
export interface AisSettings {
  /** Minimum time between two refresh jobs of one consent, by client mode. */
  cooldownSeconds: { test: number; live: number };
  /** A later job fetches from the last booked date minus this many days (banks book late and backdate). */
  overlapDays: number;
  /** The first job asks for this much history; a bank that refuses the period gets shorter ones. */
  historyDays: readonly number[];
  /** Default link lifetime when options.expires_in is absent. */
  defaultExpiresInSeconds: number;
  /** How long a claim holds a job; a heartbeat extends it while the job runs (a job's length has no bound). */
  jobLeaseMs: number;
  /** How often active consents are checked at the bank (revoked by the PSU, blocked). */
  bankCheckIntervalMs: number;
  /** The first job is retried this many times in all before the consent fails. */
  initialJobAttempts: number;
  initialJobRetryMs: number;
  /**
   * Periods of the AIS worker tasks: `jobs` is the backstop of `ais.jobs` (jobs/create and an authorisation wake
   * it at once) and when a job whose process died is taken over after its lease; the others are the sweeps.
   */
  taskEveryMs: {
    jobs: number;
    expireLinks: number;
    validityEnded: number;
    initialJobRetries: number;
    bankChecks: number;
  };
  /** How many jobs one process runs at once. */
  workerConcurrency: number;
  /** Operator allowlist for webhook targets that would otherwise be refused (config WEBHOOK_ALLOW_HOSTS). */
  webhookAllowHosts: readonly string[];
}

export const defaultAisSettings: AisSettings = {
  // PSD2 allows 4 unattended accesses a day: one refresh every 6 h. Test mode: 60 s.
  cooldownSeconds: { test: 60, live: 6 * 3600 },
  overlapDays: 7,
  historyDays: [730, 365, 90],
  defaultExpiresInSeconds: 7 * 86_400,
  jobLeaseMs: 60_000,
  bankCheckIntervalMs: 6 * 3_600_000,
  initialJobAttempts: 3,
  initialJobRetryMs: 60_000,
  taskEveryMs: {
    jobs: 1_000,
    expireLinks: 10_000,
    validityEnded: 10_000,
    initialJobRetries: 10_000,
    // Ten consents a round: at most 36,000 status checks an hour (each consent is checked every 6 h).
    bankChecks: 1_000,
  },
  workerConcurrency: 2,
  webhookAllowHosts: [],
};

/** The AIS lists' cursors: balance history by seq, transactions by (sort_date, id), their orders. */
export const aisCursors = (codec: CursorCodec) => ({
  balances: codec.list('balances', ['seq']),
  transactions: codec.list('transactions', ['date', 'uuid']),
});
export type AisCursors = ReturnType<typeof aisCursors>;

export interface AisDeps {
  db: Kysely<Database>;
  clock: Clock;
  ids: Ids;
  catalogue: Catalogue;
  connector: BankConnector;
  publicUrl: string;
  cursors: AisCursors;
  settings: AisSettings;
  /** Seals what grants access at the bank (the bank's consent id) at rest. */
  secretBox: SecretBox;
  /** COPY FROM STDIN on a PostgreSQL server (absent on PGlite). */
  bulk: BulkCopy | undefined;
  log: (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;
}

/** The AIS method and bank endpoint a consent uses (it has a method once a bank was chosen). */
export function bankOf(deps: AisDeps, consent: Consent): { method: AisMethod; bank: BankEndpoint } {
  const method = consent.methodId ? deps.catalogue.aisMethod(consent.methodId) : undefined;
  if (!method)
    throw new Error(`consent ${consent.id} has no AIS method in the catalogue (${consent.methodId})`);
  return {
    method,
    bank: deps.catalogue.bankEndpoint(method.providerId, method.interfaceEnv, deps.publicUrl),
  };
}

export const isoDate = (d: Date): string => d.toISOString().slice(0, 10);
export const addDays = (d: Date, days: number): Date => new Date(d.getTime() + days * 86_400_000);
