import type { Task } from './task.js';

/** Something a module needs once before its tasks run (make a key, start a socket); may return its stop. */
export type StartHook = () => Promise<(() => Promise<void>) | undefined>;

/** Modules declare their background work here at composition time; the worker (`startWorker`) runs it. */
export interface WorkerRegistry {
  add(task: Task): void;
  onStart(hook: StartHook): void;
  readonly tasks: readonly Task[];
  readonly startHooks: readonly StartHook[];
}

export function createWorkerRegistry(): WorkerRegistry {
  const tasks: Task[] = [];
  const startHooks: StartHook[] = [];
  return {
    add(task) {
      if (tasks.some((t) => t.name === task.name)) throw new Error(`task ${task.name} added twice`);
      if (!(task.everyMs > 0)) throw new Error(`task ${task.name}: everyMs must be positive`);
      tasks.push(task);
    },
    onStart(hook) {
      startHooks.push(hook);
    },
    tasks,
    startHooks,
  };
}
