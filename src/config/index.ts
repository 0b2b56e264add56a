export type { Config, LogLevel, TlsConfig } from './config.js';
export { ConfigError, decodeKey, logLevels, parseConfig } from './config.js';
export { resolveMasterKey } from './master-key.js';
