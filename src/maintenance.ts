import type { WorkerRegistry } from './worker/index.js';

/** Anything that can drop its expired rows and say how many it removed. */
interface Cleanable {
  cleanup(): Promise<number>;
}

export const CLEANUP_QUEUE = 'maintenance.cleanup';

/**
 * Housekeeping every ten minutes on whichever worker picks it up: expired OAuth replay records and artifacts,
 * idempotency keys past 24 h, and old rate-limit windows.
 */
export function registerMaintenance(deps: {
  worker: WorkerRegistry;
  oauth: Cleanable;
  guards: { idempotency: Cleanable; rateLimiter: Cleanable };
}): void {
  const { worker, oauth, guards } = deps;
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
