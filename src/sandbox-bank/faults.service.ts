import type { BankId } from './banks.js';
import type { SandboxContext } from './context.js';
import { toMinor } from './data/money.js';
import { clearFaults, consumeFault, type FaultRow, faultsFor, insertFault } from './sandbox.repository.js';

/**
 * Faults a test asks for, per user (PSU id) and/or per amount and/or per operation (the spec's operationId):
 * - reject: the payment is rejected (RJCT) when the PSU approves it;
 * - http_error: the response is this HTTP status (500, 503, ...) with no body;
 * - slow: the response waits delayMs first (past a connector's timeout);
 * - rate_limit: 429 with Retry-After;
 * - malformed: 200 with a JSON body cut short;
 * - revoke_consent: the PSU revokes the consent at the bank before this call is served.
 */
export const faultKinds = [
  'reject',
  'http_error',
  'slow',
  'rate_limit',
  'malformed',
  'revoke_consent',
] as const;
export type FaultKind = (typeof faultKinds)[number];

export interface FaultSpec {
  bank: BankId;
  kind: FaultKind;
  psuId?: string;
  /** Decimal string; matches the instructed amount of a payment. */
  amount?: string;
  operation?: string;
  httpStatus?: number;
  delayMs?: number;
  retryAfterSeconds?: number;
  /** Applies this many times, then stops; unlimited when absent. */
  times?: number;
}

export interface FaultMatch {
  operation: string;
  psuId?: string | null | undefined;
  amount?: string | null | undefined;
}

/** Thrown by a fault that replaces the response. */
export class InjectedFault extends Error {
  constructor(readonly fault: FaultRow) {
    super(`injected fault ${fault.kind}`);
  }
}

export interface Faults {
  add(spec: FaultSpec): Promise<string>;
  clear(bank?: BankId): Promise<void>;
  /** The first matching fault of one of `kinds`, used up when limited. */
  take(bank: BankId, match: FaultMatch, kinds: readonly FaultKind[]): Promise<FaultRow | undefined>;
}

export function validateFaultSpec(spec: FaultSpec): string | undefined {
  if (!(faultKinds as readonly string[]).includes(spec.kind))
    return `kind must be one of ${faultKinds.join(', ')}`;
  if (spec.amount !== undefined && toMinor(spec.amount) === undefined)
    return 'amount must be a decimal string';
  if (spec.kind === 'http_error' && !(spec.httpStatus && spec.httpStatus >= 400 && spec.httpStatus <= 599))
    return 'http_error needs httpStatus 400-599';
  if (spec.kind === 'slow' && !(spec.delayMs && spec.delayMs > 0 && spec.delayMs <= 120_000))
    return 'slow needs delayMs 1-120000';
  if (spec.times !== undefined && !(Number.isInteger(spec.times) && spec.times > 0))
    return 'times must be ≥ 1';
  return undefined;
}

export function createFaults(ctx: SandboxContext): Faults {
  return {
    async add(spec) {
      const problem = validateFaultSpec(spec);
      if (problem) throw new Error(problem);
      return insertFault(ctx.db, {
        bank: spec.bank,
        kind: spec.kind,
        psu_id: spec.psuId ?? null,
        amount: spec.amount ?? null,
        operation: spec.operation ?? null,
        http_status: spec.httpStatus ?? null,
        delay_ms: spec.delayMs ?? null,
        retry_after: spec.retryAfterSeconds ?? null,
        remaining: spec.times ?? null,
        created_at: ctx.clock.now(),
      });
    },
    clear: (bank) => clearFaults(ctx.db, bank),
    async take(bank, match, kinds) {
      const rows = await faultsFor(ctx.db, bank);
      for (const row of rows) {
        if (!(kinds as readonly string[]).includes(row.kind)) continue;
        if (row.operation && row.operation !== match.operation) continue;
        if (row.psu_id && row.psu_id !== match.psuId) continue;
        if (row.amount && (!match.amount || toMinor(row.amount) !== toMinor(match.amount))) continue;
        if (row.remaining !== null && !(await consumeFault(ctx.db, row.id))) continue;
        return row;
      }
      return undefined;
    },
  };
}

const RESPONSE_FAULTS: readonly FaultKind[] = ['http_error', 'slow', 'rate_limit', 'malformed'];

/** Applies response-level faults: waits for `slow`, throws InjectedFault for the others. */
export async function applyResponseFaults(faults: Faults, bank: BankId, match: FaultMatch): Promise<void> {
  const fault = await faults.take(bank, match, RESPONSE_FAULTS);
  if (!fault) return;
  if (fault.kind === 'slow') {
    await new Promise((resolve) => setTimeout(resolve, fault.delay_ms ?? 0));
    return;
  }
  throw new InjectedFault(fault);
}
