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
  /** Optional JSON/YAML file with extra or replacement providers for the catalogue. */
  readonly providersFile: string | undefined;
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
    providersFile: read('FERRY_PROVIDERS_FILE'),
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(config);
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
