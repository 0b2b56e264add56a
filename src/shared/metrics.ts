import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** A gauge's values, read when Prometheus scrapes (a count in the database, a pool's state). */
export type GaugeReading = { labels: Record<string, string>; value: number }[];

/**
 * One process's metrics (prom-client), served in the Prometheus text format on the operator listener. Modules
 * record through the narrow callbacks they are given; gauges that count rows are read at scrape time.
 */
export interface Metrics {
  readonly registry: Registry;
  httpRequest(method: string, route: string, status: number, seconds: number): void;
  bankCall(provider: string, operation: string, outcome: string, seconds: number): void;
  webhookAttempt(outcome: string, seconds: number): void;
  /** A gauge whose values `read` returns at each scrape. */
  gauge(
    name: string,
    help: string,
    labelNames: string[],
    read: () => Promise<GaugeReading> | GaugeReading,
  ): void;
  /** Node's process metrics (event-loop lag, memory, CPU, handles); once, where metrics are served. */
  collectProcessMetrics(): void;
  text(): Promise<string>;
}

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export function createMetrics(): Metrics {
  const registry = new Registry();
  const histogram = (name: string, help: string, labelNames: string[]) =>
    new Histogram({ name, help, labelNames, buckets: LATENCY_BUCKETS, registers: [registry] });
  const http = histogram(
    'ferry_http_request_duration_seconds',
    'HTTP requests by route and status, with their latency',
    ['method', 'route', 'status'],
  );
  const bank = histogram(
    'ferry_bank_call_duration_seconds',
    'NextGenPSD2 calls to banks by provider, operation and outcome (ok or the error kind), with their latency',
    ['provider', 'operation', 'outcome'],
  );
  const webhooks = histogram(
    'ferry_webhook_attempt_duration_seconds',
    'Webhook delivery attempts by outcome (delivered, retry, failed), with their latency',
    ['outcome'],
  );
  let processMetrics = false;
  return {
    registry,
    httpRequest: (method, route, status, seconds) =>
      http.observe({ method, route, status: String(status) }, seconds),
    bankCall: (provider, operation, outcome, seconds) =>
      bank.observe({ provider, operation, outcome }, seconds),
    webhookAttempt: (outcome, seconds) => webhooks.observe({ outcome }, seconds),
    gauge(name, help, labelNames, read) {
      new Gauge({
        name,
        help,
        labelNames,
        registers: [registry],
        async collect() {
          this.reset();
          for (const { labels, value } of await read()) this.set(labels, value);
        },
      });
    },
    collectProcessMetrics() {
      if (processMetrics) return;
      processMetrics = true;
      collectDefaultMetrics({ register: registry, prefix: 'ferry_' });
    },
    text: () => registry.metrics(),
  };
}
