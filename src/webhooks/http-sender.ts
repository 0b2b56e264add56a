import type { LookupFunction } from 'node:net';
import type { Agent, Dispatcher } from 'undici';
import { loadUndici } from '../shared/undici.js';
import type { AttemptResult } from './delivery-policy.js';
import type { ResolvedTarget } from './ssrf.js';

export interface OutgoingWebhook {
  target: ResolvedTarget;
  body: string;
  headers: Record<string, string>;
  timeoutMs: number;
}

export type SendResult = AttemptResult & { latencyMs: number };

export interface HttpSender {
  send(request: OutgoingWebhook): Promise<SendResult>;
  close(): Promise<void>;
}

const MAX_AGENTS = 256;
const RESPONSE_LIMIT = 64 * 1024;
/** Requests a connection may carry at once when its receiver answers fast (HTTP/1.1 pipelining). */
export const PIPELINE_DEPTH = 8;
/** A receiver whose recent answers (moving average) took less than this gets pipelined requests. */
export const PIPELINE_BELOW_MS = 50;

/** Connections to one receiver, and how fast it has been answering lately. */
interface Receiver {
  agent: Agent;
  /** Moving average of request-written → headers-received, ms; undefined until the first answer. */
  answerMs: number | undefined;
}

/**
 * POSTs webhooks over connections pinned to the address the SSRF guard checked: each agent's `lookup` only
 * ever answers that address, so the socket cannot be steered elsewhere by a second DNS answer. Redirects are
 * never followed (undici follows none unless asked). Agents are kept per origin and address for keep-alive.
 *
 * Pipelining: a receiver that has been answering in under PIPELINE_BELOW_MS gets up to PIPELINE_DEPTH requests
 * per connection, which roughly halves the system calls per webhook on both sides during a backlog. Anyone
 * slower (or not yet measured) gets one request per connection at a time, so a slow answer never holds others
 * up behind it; Node answers pipelined requests concurrently anyway, but many servers answer them in turn.
 * Webhooks are idempotent for this purpose (receivers dedupe on x-webhook-id), which pipelining requires.
 */
export function createHttpSender(): HttpSender {
  const agents = new Map<string, Receiver>();

  let undici: typeof import('undici') | undefined;

  function receiverFor(target: ResolvedTarget, { Agent } = undici!): Receiver {
    const key = `${target.url.origin}|${target.address}`;
    const known = agents.get(key);
    if (known) {
      agents.delete(key); // re-insert: the map's order is the eviction order
      agents.set(key, known);
      return known;
    }
    const { address, family } = target;
    const lookup = ((_host: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
      if (options?.all) callback(null, [{ address, family }]);
      else callback(null, address, family);
    }) as unknown as LookupFunction;
    const agent = new Agent({
      connect: { lookup },
      keepAliveTimeout: 10_000,
      connections: 64,
      pipelining: PIPELINE_DEPTH,
    });
    const receiver: Receiver = { agent, answerMs: undefined };
    agents.set(key, receiver);
    if (agents.size > MAX_AGENTS) {
      const [oldestKey, oldest] = agents.entries().next().value as [string, Receiver];
      agents.delete(oldestKey);
      void oldest.agent.close().catch(() => {});
    }
    return receiver;
  }

  // Through undici's dispatch API with a plain handler: the response body is counted and dropped, never
  // buffered or streamed, and one timer bounds the whole attempt. This costs about half the CPU of
  // `request()` (its Readable body and an AbortSignal per call), and every webhook passes here.
  function sendNow({ target, body, headers, timeoutMs }: OutgoingWebhook): Promise<SendResult> {
    const started = performance.now();
    return new Promise<SendResult>((resolve) => {
      let status = 0;
      let size = 0;
      let settled = false;
      let abort: ((reason: Error) => void) | undefined;
      let written = 0;
      const receiver = receiverFor(target);
      const answered = (failed = false) => {
        if (written === 0) return;
        // A failure (reset, timeout) counts as a slow answer however quick it was: no pipelining to it.
        const ms = Math.max(performance.now() - written, failed ? 10 * PIPELINE_BELOW_MS : 0);
        receiver.answerMs = receiver.answerMs === undefined ? ms : receiver.answerMs * 0.8 + ms * 0.2;
        written = 0;
      };
      const pipeline = receiver.answerMs !== undefined && receiver.answerMs < PIPELINE_BELOW_MS;
      let expired = false;
      const finish = (result: AttemptResult) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve({ ...result, latencyMs: Math.round(performance.now() - started) });
      };
      const timedOut = { kind: 'error', error: `timed out after ${timeoutMs} ms` } as const;
      const timer = setTimeout(() => {
        expired = true;
        // The status is the answer once it has come: a body that stalls or is cut off changes nothing.
        finish(status !== 0 ? { kind: 'response', status } : timedOut); // even while still queued
        abort?.(new Error('timeout'));
      }, timeoutMs);
      receiver.agent.dispatch(
        {
          origin: target.url.origin,
          path: `${target.url.pathname}${target.url.search}`,
          method: 'POST',
          headers: { ...headers, 'user-agent': 'Ferry-Webhooks/1' },
          body,
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
          // blocking: no other request joins this connection until this one's answer has begun.
          ...(pipeline ? { idempotent: true, blocking: false } : { blocking: true }),
        },
        {
          onConnect(a: (reason: Error) => void) {
            abort = a;
            written = performance.now();
            if (expired) a(new Error('timeout'));
          },
          onHeaders(statusCode: number) {
            answered();
            if (statusCode >= 200) status = statusCode; // not a 1xx interim answer
            return true;
          },
          onData(chunk: Buffer) {
            size += chunk.length;
            if (size > RESPONSE_LIMIT) abort?.(new Error('response too large')); // the status is all we need
            return true;
          },
          onComplete() {
            finish({ kind: 'response', status });
          },
          onError(error: Error & { code?: string; cause?: { code?: string } }) {
            answered(true);
            if (status !== 0) finish({ kind: 'response', status });
            else finish(expired ? timedOut : { kind: 'error', error: describe(error) });
          },
        } as unknown as Dispatcher.DispatchHandler,
      );
    });
  }

  return {
    send(request) {
      // The first webhook waits for undici to load; every later one goes straight on.
      if (!undici)
        return loadUndici().then((loaded) => {
          undici = loaded;
          return sendNow(request);
        });
      return sendNow(request);
    },

    async close() {
      const all = [...agents.values()];
      agents.clear();
      await Promise.all(all.map((r) => r.agent.close().catch(() => {})));
    },
  };
}

function describe(error: Error & { code?: string; cause?: { code?: string } }): string {
  const code = error.code ?? error.cause?.code;
  return (code ? `${code}: ${error.message}` : error.message).slice(0, 500);
}
