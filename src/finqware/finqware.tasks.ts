import type { RoundResult, WorkerRegistry } from '../worker/index.js';
import { PURGE_TASK } from './credentials.service.js';
import type { FinqwareContext } from './finqware.context.js';
import { claimDuePurges, markPurged } from './sessions.repository.js';

const BATCH = 50;
/** A claimed purge that has not finished in this time is claimed again. */
const LEASE_MS = 5 * 60_000;

/**
 * One round of `finqware.purge`: the credentials whose cached data is due to go (deleted with a retention that
 * has passed, or past their max_data_retention) have their consent's accounts, balances and transactions
 * deleted. One bad item is logged and left for the next lease.
 */
export async function purgeDueData(ctx: FinqwareContext, log: (message: string, fields: object) => void) {
  const now = ctx.clock.now();
  const due = await claimDuePurges(ctx.db, now, LEASE_MS, BATCH);
  for (const credential of due) {
    try {
      if (credential.consent_id) await ctx.ais.shared.purgeData(credential.consent_id);
      await markPurged(ctx.db, credential.id, ctx.clock.now());
    } catch (error) {
      log('data purge failed', { credentials_id: credential.id, error: String(error) });
    }
  }
  return due.length;
}

export function addFinqwareTasks(
  registry: WorkerRegistry,
  ctx: FinqwareContext,
  log: (message: string, fields: object) => void,
): void {
  registry.add({
    name: PURGE_TASK,
    everyMs: 60_000,
    round: async (): Promise<RoundResult> => {
      const handled = await purgeDueData(ctx, log);
      return handled >= BATCH ? 'more' : handled > 0 ? 'done' : 'idle';
    },
  });
}
