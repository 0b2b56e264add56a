import type { LookupFunction } from 'node:net';
import { Agent } from 'undici';
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

/**
 * POSTs webhooks over connections pinned to the address the SSRF guard checked: each agent's `lookup` only
 * ever answers that address, so the socket cannot be steered elsewhere by a second DNS answer. Redirects are
 * never followed (undici follows none unless asked). Agents are kept per origin and address for keep-alive.
 */
export function createHttpSender(): HttpSender {
  const agents = new Map<string, Agent>();

  function agentFor(target: ResolvedTarget): Agent {
    const key = `${target.url.origin}|${target.address}`;
    let agent = agents.get(key);
    if (agent) {
      agents.delete(key); // re-insert: the map's order is the eviction order
      agents.set(key, agent);
      return agent;
    }
    const { address, family } = target;
    const lookup = ((_host: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
      if (options?.all) callback(null, [{ address, family }]);
      else callback(null, address, family);
    }) as unknown as LookupFunction;
    agent = new Agent({ connect: { lookup }, keepAliveTimeout: 10_000, connections: 64, pipelining: 1 });
    agents.set(key, agent);
    if (agents.size > MAX_AGENTS) {
      const [oldestKey, oldest] = agents.entries().next().value as [string, Agent];
      agents.delete(oldestKey);
      void oldest.close().catch(() => {});
    }
    return agent;
  }

  return {
    async send({ target, body, headers, timeoutMs }) {
      const started = performance.now();
      const latency = () => Math.round(performance.now() - started);
      const signal = AbortSignal.timeout(timeoutMs);
      try {
        const response = await agentFor(target).request({
          origin: target.url.origin,
          path: `${target.url.pathname}${target.url.search}`,
          method: 'POST',
          headers: { ...headers, 'user-agent': 'Ferry-Webhooks/1' },
          body,
          signal,
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
        });
        await response.body.dump({ limit: RESPONSE_LIMIT }).catch(() => {});
        return { kind: 'response', status: response.statusCode, latencyMs: latency() };
      } catch (error) {
        const message = signal.aborted
          ? `timed out after ${timeoutMs} ms`
          : describe(error as Error & { code?: string; cause?: { code?: string } });
        return { kind: 'error', error: message, latencyMs: latency() };
      }
    },

    async close() {
      const all = [...agents.values()];
      agents.clear();
      await Promise.all(all.map((a) => a.close().catch(() => {})));
    },
  };
}

function describe(error: Error & { code?: string; cause?: { code?: string } }): string {
  const code = error.code ?? error.cause?.code;
  return (code ? `${code}: ${error.message}` : error.message).slice(0, 500);
}
