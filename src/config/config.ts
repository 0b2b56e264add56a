import path from 'node:path';

/** Ferry's whole configuration, parsed once from the environment. Nothing else reads process.env. */
export interface Config {
  readonly port: number;
  readonly host: string;
  /** Base of every link, redirect and issuer URL, without a trailing slash. */
  readonly publicUrl: string;
  /** Set: a PostgreSQL server through `pg`. Unset: embedded PGlite in `dataDir`. */
  readonly databaseUrl: string | undefined;
  readonly dataDir: string;
  /** 32 bytes, base64 or hex. In embedded mode it may be absent and is generated into the data dir. */
  readonly masterKey: string | undefined;
  readonly logLevel: LogLevel;
  readonly tls: TlsConfig | undefined;
  readonly oauth: { readonly accessTokenTtlSeconds: number };
  readonly bodyLimitBytes: number;
  readonly requestTimeoutMs: number;
  /** How long an API client row is reused in a process before it is read again (0 = every request). */
  readonly clientCacheMs: number;
  /** Optional JSON/YAML file with extra or replacement providers for the catalogue. */
  readonly providersFile: string | undefined;
  /** QSealC (PEM files) that signs requests to banks requiring it; a development one is generated when unset. */
  readonly qsealc: { readonly certFile: string; readonly keyFile: string } | undefined;
  /** Requests per minute per client and endpoint group (`default` for the rest); 0 disables a limit. */
  readonly rateLimits: Readonly<Record<string, number>>;
  /** Failed authentications admitted per minute per client id and per source address (0 = no limit). */
  readonly authFailureLimits: { readonly client: number; readonly address: number };
  readonly webhooks: WebhooksConfig;
  /** Minimum seconds between two refresh jobs of one AIS consent: live (PSD2: 4 a day → 6 h) and test mode. */
  readonly ais: {
    readonly refreshCooldownSeconds: number;
    readonly testRefreshCooldownSeconds: number;
    /** Backstop period of the `ais.jobs` task: a new job wakes it at once; this finds what a wake missed. */
    readonly jobPollMs: number;
  };
  readonly admin: AdminConfig;
  /**
   * The classic Finqware API: served under `prefix` (`FINQWARE_API_PREFIX`, default `/finqware`); `/v1s` tokens
   * name `audience` (`FINQWARE_V1S_AUDIENCE`, default the host of PUBLIC_URL). Test clients may use it from the
   * start; live clients once `FINQWARE_LIVE_CLIENTS=true`.
   */
  readonly finqware: { readonly prefix: string; readonly audience: string; readonly liveClients: boolean };
  /** The mounted sandbox bank: ms after a payment's acceptance until it reports ACSP, and ACSC (settled). */
  readonly sandboxBank: { readonly acspAfterMs: number; readonly acscAfterMs: number };
}

export interface WebhooksConfig {
  /** Algorithm of newly created signing keys (existing keys keep theirs). */
  readonly signingAlg: 'ES256' | 'RS256';
  readonly keyRotationDays: number;
  /** Host names, IPs or CIDRs that webhooks may target even when private (operator's local development). */
  readonly allowHosts: readonly string[];
  /** Delay before each retry, in ms; a delivery gets at most length + 1 attempts. */
  readonly retryScheduleMs: readonly number[];
  /** The same for test-mode clients' events: by default the live schedule compressed 60 times (72 h → 72 min). */
  readonly testRetryScheduleMs: readonly number[];
  /** Each delay is shortened by up to this fraction at random, so retries spread and never exceed the schedule. */
  readonly retryJitter: number;
  readonly timeoutMs: number;
  /**
   * How long an undelivered event holds back the later events of its object (link, consent, job) once an attempt
   * of it has failed; then they go out and it keeps retrying on its own. Live, and test-mode clients.
   */
  readonly orderHoldMs: { readonly live: number; readonly test: number };
}

/**
 * The operator listener (the operator API the CLI calls while a server runs): its own HTTP listener, on
 * loopback by default and never on the public one.
 */
export interface AdminConfig {
  readonly host: string;
  /** undefined: no operator listener (ADMIN_PORT=off). */
  readonly port: number | undefined;
  /** FERRY_ADMIN_TOKEN; unset: a token generated into `<dataDir>/admin.token` (mode 0600). */
  readonly token: string | undefined;
  /** FERRY_ADMIN_URL: where the CLI reaches a running server's operator API (instead of `<dataDir>/admin.json`). */
  readonly url: string | undefined;
}

export interface TlsConfig {
  readonly certFile: string;
  readonly keyFile: string;
  /** When set the server asks for client certificates (mTLS) and checks them against this CA bundle. */
  readonly clientCaFile: string | undefined;
}

export const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof logLevels)[number];

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

/** Parses and validates the environment; throws one ConfigError listing every problem. */
export function parseConfig(env: Env, cwd: string = process.cwd()): Config {
  const problems: string[] = [];
  const read = (name: string): string | undefined => {
    const value = env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  };
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = read(name);
    if (raw === undefined) return fallback;
    if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
      problems.push(`${name} must be a whole number from ${min} to ${max} (got "${raw}")`);
      return fallback;
    }
    return Number(raw);
  };

  const port = int('PORT', 3000, 0, 65535);
  const host = read('HOST') ?? '127.0.0.1';

  const tlsCert = read('TLS_CERT_FILE');
  const tlsKey = read('TLS_KEY_FILE');
  const clientCa = read('TLS_CLIENT_CA_FILE');
  let tls: TlsConfig | undefined;
  if (tlsCert || tlsKey) {
    if (!tlsCert || !tlsKey) problems.push('TLS_CERT_FILE and TLS_KEY_FILE must be set together');
    else tls = Object.freeze({ certFile: tlsCert, keyFile: tlsKey, clientCaFile: clientCa });
  } else if (clientCa) {
    problems.push('TLS_CLIENT_CA_FILE needs TLS_CERT_FILE and TLS_KEY_FILE (mTLS runs on the TLS listener)');
  }

  const defaultPublic = `${tls ? 'https' : 'http'}://localhost:${port}`;
  const publicUrlRaw = read('PUBLIC_URL') ?? defaultPublic;
  let publicUrl = defaultPublic;
  try {
    const url = new URL(publicUrlRaw);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('scheme');
    if (url.search || url.hash) throw new Error('query');
    publicUrl = url.href.replace(/\/+$/, '');
  } catch {
    problems.push(
      `PUBLIC_URL must be an absolute http(s) URL without query or fragment (got "${publicUrlRaw}")`,
    );
  }

  const databaseUrl = read('DATABASE_URL');
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    problems.push('DATABASE_URL must be a postgres:// or postgresql:// URL');
  }

  const masterKey = read('FERRY_MASTER_KEY');
  if (masterKey !== undefined && decodeKey(masterKey) === undefined) {
    problems.push('FERRY_MASTER_KEY must be 32 bytes as 64 hex characters or base64/base64url');
  }
  if (masterKey === undefined && databaseUrl) {
    problems.push('FERRY_MASTER_KEY is required with DATABASE_URL (it is only generated in embedded mode)');
  }

  const logLevelRaw = read('LOG_LEVEL') ?? 'info';
  const logLevel = (logLevels as readonly string[]).includes(logLevelRaw)
    ? (logLevelRaw as LogLevel)
    : 'info';
  if (logLevel !== logLevelRaw) problems.push(`LOG_LEVEL must be one of ${logLevels.join(', ')}`);

  const finqwarePrefix = read('FINQWARE_API_PREFIX') ?? '/finqware';
  const finqwareLive = read('FINQWARE_LIVE_CLIENTS') ?? 'false';
  if (finqwareLive !== 'true' && finqwareLive !== 'false') {
    problems.push(`FINQWARE_LIVE_CLIENTS must be true or false (got "${finqwareLive}")`);
  }
  if (
    !/^(\/[a-z0-9][a-z0-9_-]*)+$/.test(finqwarePrefix) ||
    /^\/(v1|v2|test|finx|console|operator)(\/|$)/.test(finqwarePrefix)
  ) {
    problems.push(
      `FINQWARE_API_PREFIX must be a path like /finqware (lower-case segments, not one of Ferry's own: /v1, /v2, /test, /finx) (got "${finqwarePrefix}")`,
    );
  }

  const config: Config = {
    port,
    host,
    publicUrl,
    databaseUrl,
    dataDir: path.resolve(cwd, read('FERRY_DATA_DIR') ?? '.ferry'),
    masterKey,
    logLevel,
    tls,
    oauth: Object.freeze({ accessTokenTtlSeconds: int('OAUTH_ACCESS_TOKEN_TTL', 3600, 60, 86400) }),
    bodyLimitBytes: int('BODY_LIMIT_BYTES', 1024 * 1024, 1024, 50 * 1024 * 1024),
    requestTimeoutMs: int('REQUEST_TIMEOUT_MS', 30_000, 1000, 600_000),
    clientCacheMs: int('CLIENT_CACHE_MS', 5000, 0, 60_000),
    providersFile: read('FERRY_PROVIDERS_FILE'),
    qsealc: qsealcFiles(read('FERRY_QSEALC_CERT_FILE'), read('FERRY_QSEALC_KEY_FILE'), problems),
    rateLimits: parseRateLimits(read('RATE_LIMITS') ?? 'default=1200,pay=600,ais=600', problems),
    authFailureLimits: parseAuthFailureLimits(
      read('AUTH_FAILURE_LIMITS') ?? 'client=10,address=50',
      problems,
    ),
    webhooks: parseWebhooksConfig(read, int, problems),
    ais: Object.freeze({
      refreshCooldownSeconds: int('AIS_REFRESH_COOLDOWN_SECONDS', 6 * 3600, 0, 30 * 86400),
      testRefreshCooldownSeconds: int('AIS_TEST_REFRESH_COOLDOWN_SECONDS', 60, 0, 30 * 86400),
      jobPollMs: int('AIS_JOB_POLL_MS', 1000, 100, 3_600_000),
    }),
    admin: parseAdminConfig(read, port, problems),
    finqware: Object.freeze({
      prefix: finqwarePrefix,
      audience: read('FINQWARE_V1S_AUDIENCE') ?? hostOf(publicUrl),
      liveClients: finqwareLive === 'true',
    }),
    sandboxBank: parseSandboxBankTiming(int, problems),
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(config);
}

/** ADMIN_PORT defaults to the port after PORT (a random one when PORT is 0); `off` disables the listener. */
function parseAdminConfig(
  read: (name: string) => string | undefined,
  port: number,
  problems: string[],
): AdminConfig {
  const rawPort = read('ADMIN_PORT');
  let adminPort: number | undefined = port === 0 ? 0 : port < 65535 ? port + 1 : port - 1;
  if (rawPort === 'off') adminPort = undefined;
  else if (rawPort !== undefined) {
    if (/^\d+$/.test(rawPort) && Number(rawPort) <= 65535) adminPort = Number(rawPort);
    else problems.push(`ADMIN_PORT must be a port number or off (got "${rawPort}")`);
  }
  const token = read('FERRY_ADMIN_TOKEN');
  if (token !== undefined && !/^[\x21-\x7e]{32,512}$/.test(token)) {
    problems.push('FERRY_ADMIN_TOKEN must be 32 to 512 printable characters without spaces');
  }
  const url = read('FERRY_ADMIN_URL');
  if (url !== undefined && !/^https?:\/\/[^/?#\s]+\/?$/.test(url)) {
    problems.push(`FERRY_ADMIN_URL must be an http(s) origin like http://127.0.0.1:3001 (got "${url}")`);
  }
  return Object.freeze({
    host: read('ADMIN_HOST') ?? '127.0.0.1',
    port: adminPort,
    token,
    url: url?.replace(/\/$/, ''),
  });
}

/** ACSP by default 2 s and ACSC 5 s after acceptance; ACSC may not come before ACSP. */
function parseSandboxBankTiming(
  int: (name: string, fallback: number, min: number, max: number) => number,
  problems: string[],
): Config['sandboxBank'] {
  const acspAfterMs = int('SANDBOX_BANK_ACSP_AFTER_MS', 2000, 0, 3_600_000);
  const acscAfterMs = int('SANDBOX_BANK_ACSC_AFTER_MS', 5000, 0, 3_600_000);
  if (acscAfterMs < acspAfterMs) {
    problems.push('SANDBOX_BANK_ACSC_AFTER_MS must not be less than SANDBOX_BANK_ACSP_AFTER_MS');
  }
  return Object.freeze({ acspAfterMs, acscAfterMs });
}

// Roughly 72 hours of retries in total: 30s, 2m, 10m, 30m, 1h, 2h, 4h, 8h, 12h, 12h, 12h, 12h, 8h.
const defaultRetrySchedule = '30s,2m,10m,30m,1h,2h,4h,8h,12h,12h,12h,12h,8h';
const durationUnits: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
/** Test-mode clients' retries follow the live schedule this many times faster, unless configured apart. */
const TEST_COMPRESSION = 60;

/** "none", or up to 50 delays like 500ms,30s,5m,2h,1d (each at most 7 days); a problem is recorded otherwise. */
function parseSchedule(name: string, raw: string, problems: string[]): number[] {
  if (raw === 'none') return [];
  const ms = raw.split(',').map((part) => {
    const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(part.trim());
    const value = m ? Math.round(Number(m[1]) * durationUnits[m[2]!]!) : Number.NaN;
    return value >= 1 && value <= 7 * 86_400_000 ? value : Number.NaN;
  });
  if (ms.some(Number.isNaN) || ms.length > 50) {
    problems.push(`${name} must be "none" or up to 50 delays like 500ms,30s,5m,2h,1d (each at most 7d)`);
    return ms.filter((v) => !Number.isNaN(v));
  }
  return ms;
}

/** One delay like 500ms, 30s, 5m (at most 7 days). */
function parseDuration(name: string, raw: string, problems: string[]): number {
  const found: string[] = [];
  const [ms] = raw === 'none' || raw.includes(',') ? [] : parseSchedule(name, raw, found);
  if (ms === undefined || found.length > 0) {
    problems.push(`${name} must be one delay like 500ms, 30s or 5m (at most 7d)`);
    return 1;
  }
  return ms;
}

function parseWebhooksConfig(
  read: (name: string) => string | undefined,
  int: (name: string, fallback: number, min: number, max: number) => number,
  problems: string[],
): WebhooksConfig {
  const alg = read('WEBHOOK_SIGNING_ALG') ?? 'ES256';
  if (alg !== 'ES256' && alg !== 'RS256') problems.push('WEBHOOK_SIGNING_ALG must be ES256 or RS256');
  const retryScheduleMs = parseSchedule(
    'WEBHOOK_RETRY_SCHEDULE',
    read('WEBHOOK_RETRY_SCHEDULE') ?? defaultRetrySchedule,
    problems,
  );
  const testRaw = read('WEBHOOK_TEST_RETRY_SCHEDULE');
  const testRetryScheduleMs =
    testRaw === undefined
      ? retryScheduleMs.map((ms) => Math.max(1, Math.round(ms / TEST_COMPRESSION)))
      : parseSchedule('WEBHOOK_TEST_RETRY_SCHEDULE', testRaw, problems);
  const jitterPercent = int('WEBHOOK_RETRY_JITTER_PERCENT', 20, 0, 100);
  const holdMs = parseDuration('WEBHOOK_ORDER_HOLD', read('WEBHOOK_ORDER_HOLD') ?? '5m', problems);
  const testHoldRaw = read('WEBHOOK_TEST_ORDER_HOLD');
  const testHoldMs =
    testHoldRaw === undefined
      ? Math.max(1, Math.round(holdMs / TEST_COMPRESSION))
      : parseDuration('WEBHOOK_TEST_ORDER_HOLD', testHoldRaw, problems);
  const allowHosts = (read('WEBHOOK_ALLOW_HOSTS') ?? '')
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean);
  return Object.freeze({
    signingAlg: alg === 'RS256' ? 'RS256' : 'ES256',
    keyRotationDays: int('WEBHOOK_KEY_ROTATION_DAYS', 90, 1, 3650),
    allowHosts: Object.freeze(allowHosts),
    retryScheduleMs: Object.freeze(retryScheduleMs),
    testRetryScheduleMs: Object.freeze(testRetryScheduleMs),
    retryJitter: jitterPercent / 100,
    timeoutMs: int('WEBHOOK_TIMEOUT_MS', 10_000, 100, 120_000),
    orderHoldMs: Object.freeze({ live: holdMs, test: testHoldMs }),
  });
}

function qsealcFiles(certFile: string | undefined, keyFile: string | undefined, problems: string[]) {
  if (!certFile && !keyFile) return undefined;
  if (!certFile || !keyFile) {
    problems.push('FERRY_QSEALC_CERT_FILE and FERRY_QSEALC_KEY_FILE must be set together');
    return undefined;
  }
  return Object.freeze({ certFile, keyFile });
}

function parseAuthFailureLimits(text: string, problems: string[]): Config['authFailureLimits'] {
  const parsed = parseRateLimits(text, problems, 'AUTH_FAILURE_LIMITS', 'client=10,address=50');
  const unknown = Object.keys(parsed).filter((k) => k !== 'client' && k !== 'address');
  if (unknown.length > 0)
    problems.push(`AUTH_FAILURE_LIMITS knows client and address (got ${unknown.join(', ')})`);
  return Object.freeze({ client: parsed.client ?? 10, address: parsed.address ?? 50 });
}

function parseRateLimits(
  text: string,
  problems: string[],
  name = 'RATE_LIMITS',
  example = 'default=1200,pay=600',
): Readonly<Record<string, number>> {
  const limits: Record<string, number> = {};
  for (const part of text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const match = /^([a-z_]+)=(\d{1,9})$/.exec(part);
    if (!match) {
      problems.push(`${name} must look like "${example}" (got "${part}")`);
      continue;
    }
    limits[match[1]!] = Number(match[2]);
  }
  return Object.freeze(limits);
}

/** Decodes a 32-byte key given as hex, base64 or base64url; undefined when it is not one. */
export function decodeKey(text: string): Buffer | undefined {
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, 'hex');
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(text)) {
    const buf = Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    return buf.length === 32 ? buf : undefined;
  }
  return undefined;
}

/** The host of a URL (the default `/v1s` audience), or the text itself when it is not one. */
function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
