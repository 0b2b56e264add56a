import type { Clock } from '../shared/clock.js';
import type { Ids } from '../shared/ids.js';
import { dayOfInstant, isoOf } from './data/calendar.js';
import type { SettlementTiming } from './payment-status.js';
import type { Db } from './sandbox.repository.js';

/** What every sandbox-bank service runs on. */
export interface SandboxContext {
  db: Db;
  clock: Clock;
  ids: Ids;
  timing: SettlementTiming;
}

export const todayOf = (ctx: SandboxContext): number => dayOfInstant(ctx.clock.now());
export const todayIso = (ctx: SandboxContext): string => isoOf(todayOf(ctx));
