import type { BankError, BankErrorKind, TppMessage } from './types.js';

const UNAUTHORIZED_CODES =
  /^(CONSENT_|CERTIFICATE_|SIGNATURE_|TOKEN_|PSU_CREDENTIALS_INVALID|SERVICE_BLOCKED|CORPORATE_ID_INVALID)/;

export function bankError(
  kind: BankErrorKind,
  message: string,
  extra: Partial<Omit<BankError, 'kind' | 'message'>> = {},
): BankError {
  return {
    kind,
    message,
    httpStatus: extra.httpStatus,
    retryable: extra.retryable ?? (kind === 'unavailable' || kind === 'timeout' || kind === 'rate_limited'),
    retryAfterSeconds: extra.retryAfterSeconds,
    tppMessages: extra.tppMessages ?? [],
  };
}

/** tppMessages from an NG error body ({tppMessages}) or an RFC 7807 one ({code, detail, additionalErrors}). */
export function tppMessagesOf(body: unknown): TppMessage[] {
  if (typeof body !== 'object' || body === null) return [];
  const b = body as Record<string, unknown>;
  const out: TppMessage[] = [];
  const push = (m: unknown) => {
    if (typeof m !== 'object' || m === null) return;
    const r = m as Record<string, unknown>;
    if (typeof r.code !== 'string') return;
    out.push({
      category: r.category === 'WARNING' ? 'WARNING' : 'ERROR',
      code: r.code,
      ...(typeof r.text === 'string'
        ? { text: r.text }
        : typeof r.detail === 'string'
          ? { text: r.detail }
          : {}),
      ...(typeof r.path === 'string' ? { path: r.path } : {}),
    });
  };
  if (Array.isArray(b.tppMessages)) b.tppMessages.forEach(push);
  else if (typeof b.code === 'string') {
    push(b);
    if (Array.isArray(b.additionalErrors)) b.additionalErrors.forEach(push);
  }
  return out;
}

/** Retry-After as seconds (delta or HTTP date). */
export function retryAfterSeconds(value: string | undefined, now: Date): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now.getTime()) / 1000));
}

/** Classifies a non-2xx NextGenPSD2 response. */
export function errorFromResponse(
  status: number,
  body: unknown,
  retryAfter: number | undefined,
  idempotent: boolean,
): BankError {
  const tppMessages = tppMessagesOf(body);
  const codes = tppMessages.map((m) => m.code);
  const first = tppMessages[0];
  const message = first ? `${status} ${first.code}${first.text ? `: ${first.text}` : ''}` : `HTTP ${status}`;
  const base = { httpStatus: status, tppMessages, retryAfterSeconds: retryAfter };
  if (status === 429) {
    if (codes.includes('ACCESS_EXCEEDED'))
      return bankError('access_exceeded', message, { ...base, retryable: false });
    return bankError('rate_limited', message, base);
  }
  if (status === 408) return bankError('timeout', message, { ...base, retryable: idempotent });
  if (status >= 500) return bankError('unavailable', message, base);
  if (status === 404 || (status === 403 && codes.includes('RESOURCE_UNKNOWN')))
    return bankError('not_found', message, base);
  if (status === 401 || (status === 403 && codes.some((c) => UNAUTHORIZED_CODES.test(c))))
    return bankError('unauthorized', message, base);
  return bankError('rejected', message, base);
}
