export type {
  JobOutcome,
  QueueDefinition,
  ScheduleDefinition,
  StartHook,
  WorkerJob,
  WorkerRegistry,
} from './registry.js';
export { createWorkerRegistry } from './registry.js';
export type { RunningWorker, StartWorkerOptions } from './worker.js';
export { BOSS_SCHEMA, startWorker } from './worker.js';
