import type { AisService } from '../ais/index.js';
import type { ClientsService } from '../auth/index.js';
import type { Catalogue } from '../providers/index.js';
import type { Clock } from '../shared/clock.js';
import type { Ids } from '../shared/ids.js';
import type { Store } from '../store/index.js';

/** The classic API's rules where the original fixes them (A.2.1, the caching rules), and Ferry's choices. */
export interface FinqwareSettings {
  /** A nonce is valid for 30 minutes (A.2.1). */
  nonceTtlMs: number;
  /** A temp_token is exchanged within 10 minutes. */
  tempTokenTtlMs: number;
  /** How long a consent lasts when the bank does not say (90 days), and how long its data is kept (120 days). */
  consentDays: number;
  retentionDays: number;
  /** How long the hosted flow of a session may take, from the sca step (the consent link's life). */
  flowSeconds: number;
}

export const defaultFinqwareSettings: FinqwareSettings = {
  nonceTtlMs: 30 * 60_000,
  tempTokenTtlMs: 10 * 60_000,
  consentDays: 90,
  retentionDays: 120,
  flowSeconds: 30 * 60,
};

export interface FinqwareContext {
  db: Store['db'];
  clock: Clock;
  ids: Ids;
  clients: ClientsService;
  catalogue: Catalogue;
  ais: AisService;
  /** Ferry's public base URL and the classic API's prefix: the browser comes back to `<publicUrl><prefix>/return/…`. */
  publicUrl: string;
  prefix: string;
  /** The `aud` a `/v1s` token must name. */
  audience: string;
  /** Live clients may use the classic API (`FINQWARE_LIVE_CLIENTS`); test clients always may. */
  liveClients: boolean;
  settings: FinqwareSettings;
}
