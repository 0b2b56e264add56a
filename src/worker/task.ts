/**
 * Ferry's one model of background work: a task claims what is due from its own table under a lease (SKIP LOCKED,
 * so any number of worker processes share the work), handles it, and says whether more is waiting. The worker
 * runs each task's rounds: at once when woken (work committed by any process NOTIFYs `ferry_work` with the task's
 * name), again at once after a full round, and otherwise every `everyMs` as the backstop and the period of a
 * sweep. Time comes from the injected clock; `drain()` runs every task until nothing is due, so tests move time
 * by hand instead of sleeping.
 */

/**
 * `more`: a full batch was handled and more may be due: run again now. `done`: something was handled and nothing
 * more is known to be due. `idle`: nothing was due. Then the task waits for a wake or its period.
 */
export type RoundResult = 'more' | 'done' | 'idle';

export interface TaskContext {
  /** The injected clock: claims compare leases and due times with it, not with the database's clock. */
  now(): Date;
  /** Aborted when the worker stops: a long round ends early, leaving what it did not claim for later. */
  readonly signal: AbortSignal;
  /**
   * Work that outlives the round (an attempt in flight, a running job): `drain()` and `stop()` wait for it, and
   * its end wakes the task again (room freed).
   */
  track(work: Promise<unknown>): void;
  /** Tracked work of this task still running in this process. */
  readonly inFlight: number;
  /** Asks for another round soon (room freed, or what held work back is done). */
  wake(): void;
}

export interface Task {
  /** Unique, also the NOTIFY payload that wakes it, e.g. `ais.jobs`. */
  name: string;
  /** Runs one round; must not throw for one bad item (it would hold up the rest): record it and go on. */
  round(ctx: TaskContext): Promise<RoundResult>;
  /** Period of the round when nothing wakes it (a sweep's interval; a queue's backstop for a missed wake). */
  everyMs: number;
  /** A wake waits this long for others to join it (a burst of commits becomes one claim). Default 0. */
  coalesceMs?: number;
  /** After the worker stopped its rounds and its tracked work ended (or the grace ran out): flush, close. */
  close?(): Promise<void>;
}

/** Channel of the wake-ups: the payload is the task's name. */
export const WORK_CHANNEL = 'ferry_work';
