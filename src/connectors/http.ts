import type { Agent, Dispatcher } from 'undici';
import { loadUndici } from '../shared/undici.js';
import { bankError, errorFromResponse, retryAfterSeconds } from './bank-error.js';
import type { BankEndpoint, BankError } from './types.js';

/** One request/response as sent and received (the conformance tests check every one against the spec). */
export interface Exchange {
  method: string;
  url: string;
  requestHeaders: Record<string, string>;
  requestBody: string | undefined;
  status: number | undefined;
  responseHeaders: Record<string, string>;
  responseBody: string | undefined;
}

export interface TransportOptions {
  /** Per attempt, unless the endpoint sets its own (default 10 s). */
  timeoutMs: number;
  /** Attempts for idempotent reads (GET); writes are sent once. */
  maxAttempts: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** A Retry-After longer than this is not waited for: the error goes back with retryAfterSeconds. */
  maxRetryAfterMs: number;
  keepAliveTimeoutMs: number;
  onExchange?: (exchange: Exchange) => void;
  now: () => Date;
  sleep: (ms: number) => Promise<void>;
}

export type HttpResult =
  | { ok: true; status: number; headers: Record<string, string>; json: unknown }
  | { ok: false; error: BankError };

const RETRY_STATUSES = new Set([429, 500, 502, 503, 504, 408]);

/** Keep-alive connection pools, one per TLS identity (QWAC) and CA. */
export class Transport {
  readonly #agents = new Map<string, Agent>();
  constructor(readonly options: TransportOptions) {}

  #agent(bank: BankEndpoint, undici: typeof import('undici')): Dispatcher {
    const key = bank.tls ? `${bank.tls.cert}\u0000${bank.tls.key}\u0000${bank.tls.ca ?? ''}` : '';
    let agent = this.#agents.get(key);
    if (!agent) {
      agent = new undici.Agent({
        keepAliveTimeout: this.options.keepAliveTimeoutMs,
        connections: 32,
        connect: bank.tls
          ? { cert: bank.tls.cert, key: bank.tls.key, ...(bank.tls.ca ? { ca: bank.tls.ca } : {}) }
          : {},
      });
      this.#agents.set(key, agent);
    }
    return agent;
  }

  async close(): Promise<void> {
    await Promise.all([...this.#agents.values()].map((a) => a.close()));
    this.#agents.clear();
  }

  /** Sends one call; GETs are retried with backoff on 5xx, 408, 429 (honouring Retry-After), timeouts and network errors. */
  async send(
    bank: BankEndpoint,
    method: 'GET' | 'POST' | 'DELETE',
    url: string,
    buildHeaders: () => Record<string, string>,
    body: string | undefined,
  ): Promise<HttpResult> {
    const idempotent = method === 'GET';
    const attempts = idempotent ? Math.max(1, this.options.maxAttempts) : 1;
    let last: BankError | undefined;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const result = await this.#once(bank, method, url, buildHeaders(), body, idempotent);
      if (result.ok) return result;
      last = result.error;
      if (attempt === attempts || !result.error.retryable || !shouldRetry(result.error)) break;
      let wait = Math.min(this.options.backoffMaxMs, this.options.backoffBaseMs * 2 ** (attempt - 1));
      wait = Math.round(wait * (0.75 + Math.random() * 0.5));
      if (result.error.retryAfterSeconds !== undefined) {
        const asked = result.error.retryAfterSeconds * 1000;
        if (asked > this.options.maxRetryAfterMs) break;
        wait = Math.max(wait, asked);
      }
      await this.options.sleep(wait);
    }
    return { ok: false, error: last! };
  }

  async #once(
    bank: BankEndpoint,
    method: string,
    url: string,
    headers: Record<string, string>,
    body: string | undefined,
    idempotent: boolean,
  ): Promise<HttpResult> {
    const timeoutMs = bank.timeoutMs ?? this.options.timeoutMs;
    const exchange: Exchange = {
      method,
      url,
      requestHeaders: headers,
      requestBody: body,
      status: undefined,
      responseHeaders: {},
      responseBody: undefined,
    };
    try {
      const undici = await loadUndici();
      const response = await undici.request(url, {
        method: method as Dispatcher.HttpMethod,
        headers,
        body,
        dispatcher: this.#agent(bank, undici),
        signal: AbortSignal.timeout(timeoutMs),
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      const text = await response.body.text();
      const responseHeaders = flatten(response.headers);
      exchange.status = response.statusCode;
      exchange.responseHeaders = responseHeaders;
      exchange.responseBody = text;
      this.options.onExchange?.(exchange);
      let json: unknown;
      if (text.length > 0) {
        try {
          json = JSON.parse(text);
        } catch {
          if (response.statusCode < 300)
            return {
              ok: false,
              error: bankError(
                'invalid_response',
                `Unparseable JSON from the bank (HTTP ${response.statusCode}).`,
                { httpStatus: response.statusCode, retryable: false },
              ),
            };
        }
      }
      if (response.statusCode >= 200 && response.statusCode < 300)
        return { ok: true, status: response.statusCode, headers: responseHeaders, json };
      const retryAfter = retryAfterSeconds(responseHeaders['retry-after'], this.options.now());
      return { ok: false, error: errorFromResponse(response.statusCode, json, retryAfter, idempotent) };
    } catch (error) {
      this.options.onExchange?.(exchange);
      return { ok: false, error: networkError(error, timeoutMs, idempotent) };
    }
  }
}

function shouldRetry(error: BankError): boolean {
  if (error.kind === 'timeout' || (error.kind === 'unavailable' && error.httpStatus === undefined))
    return true;
  return (
    error.httpStatus !== undefined && RETRY_STATUSES.has(error.httpStatus) && error.kind !== 'access_exceeded'
  );
}

function flatten(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers))
    if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

function networkError(error: unknown, timeoutMs: number, idempotent: boolean): BankError {
  const e = error as { name?: string; code?: string; message?: string; cause?: { code?: string } };
  const code = e.code ?? e.cause?.code ?? '';
  if (e.name === 'TimeoutError' || e.name === 'AbortError' || /TIMEOUT/.test(code)) {
    // A write that timed out may have been carried out: retrying it blindly could pay twice.
    return bankError('timeout', `No answer from the bank within ${timeoutMs} ms.`, { retryable: idempotent });
  }
  if (
    /CERT|TLS|SSL|SELF_SIGNED|UNABLE_TO_VERIFY/.test(code) ||
    /certificate|handshake/i.test(e.message ?? '')
  )
    return bankError('unauthorized', `TLS with the bank failed: ${code || e.message}`, { retryable: false });
  return bankError('unavailable', `Cannot reach the bank: ${code || e.message}`);
}
