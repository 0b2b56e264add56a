export type { StartHook, WorkerRegistry } from './registry.js';
export { createWorkerRegistry } from './registry.js';
export type { RoundResult, Task, TaskContext } from './task.js';
export { WORK_CHANNEL } from './task.js';
export { wakeTask } from './wake.js';
export type { RunningWorker, StartWorkerOptions, Worker, WorkerHost } from './worker.js';
export { createWorker, startWorker } from './worker.js';
