import type { Metrics } from '../shared/metrics.js';
import type { Store } from './database.js';

/** The database pool's connections by state (total, idle, waiting requests); one connection when embedded. */
export function addStoreMetrics(metrics: Metrics, store: Store): void {
  metrics.gauge(
    'ferry_db_pool_connections',
    'Database pool: open connections, idle ones, and waiting requests',
    ['state'],
    () => {
      const pool = store.pool;
      const [total, idle, waiting] = pool ? [pool.totalCount, pool.idleCount, pool.waitingCount] : [1, 0, 0];
      return [
        { labels: { state: 'total' }, value: total },
        { labels: { state: 'idle' }, value: idle },
        { labels: { state: 'waiting' }, value: waiting },
      ];
    },
  );
}
