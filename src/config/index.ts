export type { AdminConfig, Config, LogLevel, TlsConfig } from './config.js';
export { ConfigError, decodeKey, logLevels, parseConfig } from './config.js';
export { resolveMasterKey } from './master-key.js';
export { resolveOperatorToken } from './operator-token.js';
