import { startRounds } from '../shared/rounds.js';
import { loadUndici } from '../shared/undici.js';
import type { BankId } from './banks.js';
import type { SandboxContext } from './context.js';
import {
  type AttemptResult,
  defaultNotifyPolicy,
  type NotifyPolicy,
  nextStep,
  readAttempt,
} from './notification-policy.js';
import { claimDueNotifications, type NotificationRow, updateNotification } from './sandbox.repository.js';

/** Carries one POST and reads the answer; throws when there is no answer. */
export type NotifyPost = (
  url: string,
  headers: Record<string, string>,
  body: string,
) => Promise<{ status: number; body: string }>;

/** Where the bank sends funds notifications, and how it signs them. */
export interface NotifyTarget {
  /** Receiver origin (Ferry's public URL): the bank POSTs to `${baseUrl}/bank-notifications/${bank}`. */
  baseUrl: string;
  /** The signature headers for one body at one time (Ferry's `x-bank-signature`). */
  sign(bank: BankId, body: string, unixSeconds: number): Record<string, string>;
  /** How the POST is carried; over the network by default. */
  post?: NotifyPost;
}

export interface Notifier {
  /** Whether a target is configured; without one nothing is sent (rows wait, pending). */
  readonly enabled: boolean;
  /** Sends what is due now (one batch); returns how many rows were attempted. */
  deliverDue(limit?: number): Promise<number>;
  /** Starts the sending loop (once); `stop` ends it and waits for a round in progress. */
  start(options?: { tickMs?: number; log?: NotifyLog }): void;
  stop(): Promise<void>;
}

export type NotifyLog = (message: string, fields: Record<string, unknown>) => void;

const SEND_TIMEOUT_MS = 10_000;
const BATCH = 20;

/** Over the network (undici), with a timeout per attempt. */
export const httpPost: NotifyPost = async (url, headers, body) => {
  const { request } = await loadUndici();
  const res = await request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
    headersTimeout: SEND_TIMEOUT_MS,
    bodyTimeout: SEND_TIMEOUT_MS,
  });
  return { status: res.statusCode, body: await res.body.text() };
};

export function notificationUrl(target: NotifyTarget, bank: string): string {
  return `${target.baseUrl.replace(/\/+$/, '')}/bank-notifications/${bank}`;
}

export function createNotifier(
  ctx: SandboxContext,
  target: NotifyTarget | undefined,
  policy: NotifyPolicy = defaultNotifyPolicy,
): Notifier {
  const post = target?.post ?? httpPost;

  async function attempt(row: NotificationRow): Promise<AttemptResult> {
    const body = JSON.stringify({
      payment_id: row.payment_id,
      event: row.event,
      ...(row.reason ? { reason: row.reason } : {}),
    });
    const unixSeconds = Math.floor(ctx.clock.now().getTime() / 1000);
    try {
      return await post(
        notificationUrl(target!, row.bank),
        { 'content-type': 'application/json', ...target!.sign(row.bank as BankId, body, unixSeconds) },
        body,
      );
    } catch (error) {
      return { error: (error as Error).message || String(error) };
    }
  }

  async function deliver(row: NotificationRow): Promise<void> {
    const result = await attempt(row);
    const now = ctx.clock.now();
    const step = nextStep(readAttempt(result, row.payment_id), row.attempts, row.first_due_at, now, policy);
    await updateNotification(ctx.db, row.id, {
      last_status: 'status' in result ? result.status : null,
      last_error: step.error,
      ...(step.outcome === null
        ? { due_at: step.dueAt }
        : { outcome: step.outcome, ...(step.outcome === 'gave_up' ? {} : { sent_at: now }) }),
    });
  }

  async function deliverDue(limit = BATCH): Promise<number> {
    if (!target) return 0;
    const now = ctx.clock.now();
    const rows = await claimDueNotifications(ctx.db, now, new Date(now.getTime() + policy.leaseMs), limit);
    await Promise.all(rows.map(deliver));
    return rows.length;
  }

  let loop: { stop(): Promise<void> } | undefined;
  return {
    enabled: target !== undefined,
    deliverDue,
    start(options = {}) {
      if (loop || !target) return;
      const log = options.log ?? (() => {});
      // A full batch means more may be due: the round goes on until the backlog is drained.
      loop = startRounds(async (stopped) => {
        try {
          while (!stopped() && (await deliverDue(BATCH)) === BATCH) {}
        } catch (error) {
          log('sandbox bank notification round failed', { error: (error as Error).message });
        }
      }, options.tickMs ?? 500);
    },
    async stop() {
      const running = loop;
      loop = undefined;
      await running?.stop();
    },
  };
}
