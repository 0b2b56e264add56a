import type { Kysely } from 'kysely';
import type { BankConnector } from '../connectors/index.js';
import type { Catalogue } from '../providers/index.js';
import type { Clock } from '../shared/clock.js';
import type { CursorCodec } from '../shared/cursor.js';
import type { Ids } from '../shared/ids.js';
import type { SecretBox } from '../shared/secret-box.js';
import type { Database } from '../store/index.js';

/** How Ferry follows a payment at the bank until it is final. */
export interface PollingPolicy {
  /** First poll after the bank accepted the payment, and after every status change. */
  initialDelayMs: number;
  factor: number;
  /** Cap while the payer has not authorised yet (they may still be at the bank). */
  maxDelayBeforeAuthMs: number;
  /** Cap once the bank has the authorised payment. */
  maxDelayAfterAuthMs: number;
  /** A `link` payment whose SCA is not done this long after the bank accepted it has failed. */
  scaWindowMs: number;
  /** Stop following a payment the bank never reports final (it stays `submitted`; operators see it). */
  giveUpAfterMs: number;
  /** How long one poller may hold a claimed link before another may take it. */
  leaseMs: number;
}

export const defaultPolling: PollingPolicy = {
  initialDelayMs: 1_000,
  factor: 1.6,
  maxDelayBeforeAuthMs: 30_000,
  maxDelayAfterAuthMs: 10 * 60_000,
  scaWindowMs: 60 * 60_000,
  giveUpAfterMs: 7 * 24 * 3600_000,
  leaseMs: 60_000,
};

export interface PayDeps {
  db: Kysely<Database>;
  clock: Clock;
  ids: Ids;
  catalogue: Catalogue;
  connector: BankConnector;
  /** Seals the bank's payment ids at rest (bank-payment-id.ts). */
  secretBox: SecretBox;
  publicUrl: string;
  /** Hosts a live link's webhook_url may name although they resolve to private addresses (WEBHOOK_ALLOW_HOSTS). */
  webhookAllowHosts?: readonly string[];
  /** Signs and checks links/list cursors. */
  cursors: CursorCodec;
  polling?: Partial<PollingPolicy>;
  /** Failures that are not the caller's (bank down during a poll); the app's logger in production. */
  log?: (message: string, detail?: Record<string, unknown>) => void;
}
