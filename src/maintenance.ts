import type { WorkerRegistry } from './worker/index.js';

export const CLEANUP_TASK = 'maintenance.cleanup';
export const CLEANUP_EVERY_MS = 10 * 60_000;

/** Anything that can drop its expired rows and say how many it removed. */
interface Cleanable {
  cleanup(): Promise<number>;
}

/**
 * Housekeeping every ten minutes in each worker process (the deletes are idempotent, so two processes doing it
 * cost nothing but a few statements): expired OAuth replay records and artifacts, idempotency keys past 24 h,
 * old rate-limit windows, and bank calls past their retention.
 */
export function registerMaintenance(deps: {
  worker: WorkerRegistry;
  oauth: Cleanable;
  guards: { idempotency: Cleanable; rateLimiter: Cleanable };
  bankCalls: Cleanable;
  log?: (message: string, detail: Record<string, number>) => void;
}): void {
  const { worker, oauth, guards } = deps;
  worker.add({
    name: CLEANUP_TASK,
    everyMs: CLEANUP_EVERY_MS,
    round: async () => {
      const removed = {
        oauth: await oauth.cleanup(),
        idempotency: await guards.idempotency.cleanup(),
        rateLimits: await guards.rateLimiter.cleanup(),
        bankCalls: await deps.bankCalls.cleanup(),
      };
      deps.log?.('maintenance cleanup', removed);
      return Object.values(removed).some((n) => n > 0) ? 'done' : 'idle';
    },
  });
}
