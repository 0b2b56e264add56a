import type { Services } from './services.js';

export const CLEANUP_QUEUE = 'maintenance.cleanup';

/**
 * Housekeeping every ten minutes on whichever worker picks it up: expired OAuth replay records and artifacts,
 * idempotency keys past 24 h, and old rate-limit windows.
 */
export function registerMaintenance(services: Pick<Services, 'worker' | 'oauth' | 'guards'>): void {
  const { worker, oauth, guards } = services;
  worker.register({
    name: CLEANUP_QUEUE,
    queue: { retryLimit: 1 },
    handle: async () => {
      const removed = {
        oauth: await oauth.cleanup(),
        idempotency: await guards.idempotency.cleanup(),
        rateLimits: await guards.rateLimiter.cleanup(),
      };
      return { status: 'completed', detail: JSON.stringify(removed) };
    },
  });
  worker.schedule({ queue: CLEANUP_QUEUE, cron: '*/10 * * * *' });
}
