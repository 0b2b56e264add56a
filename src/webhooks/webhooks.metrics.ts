import type { Kysely } from 'kysely';
import type { Metrics } from '../shared/metrics.js';
import type { Database } from '../store/index.js';
import { countPendingEvents } from './events.repository.js';

/** The delivery queue's depth, read at each scrape of /metrics (attempts are counted as they are recorded). */
export function addWebhookMetrics(metrics: Metrics, db: Kysely<Database>): void {
  metrics.gauge(
    'ferry_webhook_queue_depth',
    'Webhook events waiting for delivery (due or retrying)',
    [],
    async () => [{ labels: {}, value: await countPendingEvents(db) }],
  );
}
