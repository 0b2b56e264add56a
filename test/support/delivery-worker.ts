import { systemClock } from '../../src/shared/clock.js';
import type { Store } from '../../src/store/index.js';
import { createDeliverTask, type DispatcherOptions } from '../../src/webhooks/index.js';
import { createWorker, createWorkerRegistry, type Worker } from '../../src/worker/index.js';

/** A started worker process of its own that runs only the webhook delivery task, on the real clock. */
export async function startDeliveryWorker(store: Store, options: DispatcherOptions): Promise<Worker> {
  const registry = createWorkerRegistry();
  registry.add(createDeliverTask(options));
  const worker = createWorker({
    store,
    worker: registry,
    clock: systemClock,
    config: { logLevel: 'silent' },
  });
  await worker.start();
  return worker;
}
