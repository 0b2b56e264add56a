/** Log hygiene: secrets are removed by pino's redact paths, IBANs are masked wherever they appear. */
export const redactPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  '*.client_secret',
  '*.client_assertion',
  '*.access_token',
  '*.password',
  '*.secret',
  '*.privateKey',
];

const IBAN = /\b([A-Z]{2}\d{2})([A-Z0-9]{6,26})([A-Z0-9]{4})\b/g;

/** RO03RZBR0000069999999999 → RO03…9999 */
export function maskIbans(text: string): string {
  return text.replace(IBAN, (_m, head: string, _mid: string, tail: string) => `${head}…${tail}`);
}

/** Deep-masks IBANs in a log object (bounded depth; logs never carry large structures). */
export function maskIbansDeep(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return maskIbans(value);
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => maskIbansDeep(v, depth + 1));
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value; // Errors, Dates, Buffers: left to serializers
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = maskIbansDeep(v, depth + 1);
  return out;
}

/** pino options shared by the HTTP server and the worker: redaction and IBAN masking. */
export function loggerOptions(level: string) {
  return {
    level,
    redact: { paths: redactPaths, censor: '[redacted]' },
    formatters: { log: (obj: Record<string, unknown>) => maskIbansDeep(obj) as Record<string, unknown> },
  };
}
