import type { TransactionStatus } from '../connectors/index.js';
import type { PaymentMethod } from '../providers/index.js';
import { ApiError, notFound, validationError } from '../shared/errors.js';
import { bankPaymentStatus, bankRefusal, createBankPayment } from './bank.js';
import { bankPaymentColumns, bankPaymentKey } from './bank-payment-id.js';
import { checkIban } from './iban.js';
import { catalogueFilter, checkComplete, type Transfer } from './intent.js';
import { applyEvent, TransitionRefused } from './link-events.js';
import {
  bankEvent,
  isExpired,
  isFinal,
  type LinkEvent,
  type LinkStatus,
  pollingStatuses,
  preBankStatuses,
  transition,
} from './link-status.js';
import * as repo from './links.repository.js';
import { defaultPolling, type PayDeps, type PollingPolicy } from './pay.deps.js';
import type { DebtorInput } from './pay.schema.js';

/** What the hosted page needs to draw a link. */
export interface PageLink {
  link: repo.LinkRow;
  expired: boolean;
  /** Methods the payer may choose from (empty once a method is fixed). */
  methods: PaymentMethod[];
  /** The chosen method, once there is one. */
  method: PaymentMethod | undefined;
  /** Per method: the debtor inputs the page must ask for (those the API did not send). */
  asks: Map<string, { input: DebtorInput; rule: string }[]>;
}

export interface PayInput {
  methodId: string;
  debtorIban?: string | undefined;
  psuId?: string | undefined;
  psuIpAddress?: string | undefined;
}

/** The payer's side: the hosted page's actions, the bank's return, status polling, expiry and notifications. */
export function createPaymentFlow(deps: PayDeps) {
  const { db, clock, catalogue } = deps;
  const policy: PollingPolicy = { ...defaultPolling, ...deps.polling };
  const log = deps.log ?? (() => {});

  async function byWebId(webId: string): Promise<repo.LinkRow> {
    const link = await repo.findByWebId(db, webId);
    if (!link) throw notFound('payment link');
    return link;
  }

  /** Runs one event on the link in its own transaction; a refused transition leaves the link as it is. */
  async function change(
    linkId: string,
    event: LinkEvent | ((link: repo.LinkRow) => LinkEvent | undefined),
    options: Parameters<typeof applyEvent>[4] = {},
  ): Promise<repo.LinkRow> {
    return db.transaction().execute(async (trx) => {
      const link = await repo.lockById(trx, linkId);
      if (!link) throw notFound('payment link');
      const e = typeof event === 'function' ? event(link) : event;
      if (!e) return link;
      return applyEvent(trx, deps, link, e, options);
    });
  }

  function pageMethods(link: repo.LinkRow): PaymentMethod[] {
    if (link.method_id || link.type !== 'link') return [];
    const filter = catalogueFilter(link.method_filter, link.user_editable);
    return catalogue
      .findPaymentMethods(filter, link.mode)
      .filter(
        (m) => m.currencies.includes(link.currency) && catalogue.validateIntent(m, transferOf(link)).ok,
      );
  }

  function asksFor(link: repo.LinkRow, methods: PaymentMethod[]) {
    const asks = new Map<string, { input: DebtorInput; rule: string }[]>();
    for (const m of methods) {
      const list = (Object.entries(m.inputs) as [DebtorInput, string][])
        .filter(([input]) => !link.api_inputs.includes(input))
        .map(([input, rule]) => ({ input, rule }));
      asks.set(m.methodId, list);
    }
    return asks;
  }

  function nextPoll(link: repo.LinkRow, status: LinkStatus, attempts: number): Date | null {
    if (isFinal(status)) return null;
    const now = clock.now();
    const authorised = status === 'received' || status === 'submitted';
    const cap = authorised ? policy.maxDelayAfterAuthMs : policy.maxDelayBeforeAuthMs;
    const delay = Math.min(policy.initialDelayMs * policy.factor ** attempts, cap);
    if (link.poll_since && now.getTime() - link.poll_since.getTime() > policy.giveUpAfterMs) return null;
    return new Date(now.getTime() + delay);
  }

  /** The deadline for the payer's SCA: the link's own for the *_sca types, a window after Pay for `link`. */
  function scaDeadline(link: repo.LinkRow): number {
    if (link.type !== 'link') return link.expires_at.getTime();
    return (link.poll_since ?? link.updated_at).getTime() + policy.scaWindowMs;
  }

  /** Applies what the bank reported: status change, backoff reset on change, next poll time. */
  async function applyBankStatus(
    linkId: string,
    status: TransactionStatus,
    source: 'poll' | 'return_ok' | 'return_nok',
  ): Promise<repo.LinkRow> {
    return db.transaction().execute(async (trx) => {
      const link = await repo.lockById(trx, linkId);
      if (!link) throw notFound('payment link');
      const changedAtBank = link.bank_status !== status;
      let event: LinkEvent | undefined = bankEvent(status);
      if (status === 'RCVD') {
        // RCVD is how the bank holds a payment waiting for SCA: only the payer's return gives it meaning.
        if (source === 'return_ok') event = 'bank_received';
        else if (source === 'return_nok') event = 'sca_failed';
        else if (clock.now().getTime() > scaDeadline(link)) event = 'sca_failed';
        else event = undefined;
      } else if (!changedAtBank && source === 'poll') {
        event = undefined;
      }
      const t = event ? transition(link.status, event) : undefined;
      const to = t?.ok ? t.to : link.status;
      const attempts = (t?.ok && t.changed) || source !== 'poll' ? 0 : link.poll_attempts + 1;
      const patch = { poll_attempts: attempts, next_poll_at: nextPoll(link, to, attempts) };
      if (!event || !t?.ok) {
        if (event) log('bank status ignored', { link_id: link.id, status: link.status, bank_status: status });
        return repo.updateLink(trx, link.id, { ...patch, bank_status: status, updated_at: clock.now() });
      }
      return applyEvent(trx, deps, link, event, { bankStatus: status, patch });
    });
  }

  return {
    /** The hosted page opens: `created` becomes `started` (not for expired links). */
    async open(webId: string): Promise<PageLink> {
      let link = await byWebId(webId);
      const now = clock.now();
      if (link.status === 'created' && !isExpired(link, now)) {
        link = await change(link.id, (l) => (l.status === 'created' ? 'page_opened' : undefined));
      }
      return this.describe(link);
    },

    describe(link: repo.LinkRow): PageLink {
      const methods = preBankStatuses.includes(link.status) ? pageMethods(link) : [];
      return {
        link,
        expired: isExpired(link, clock.now()),
        methods,
        method: link.method_id ? catalogue.paymentMethod(link.method_id) : undefined,
        asks: asksFor(link, methods),
      };
    },

    async find(webId: string): Promise<repo.LinkRow> {
      return byWebId(webId);
    },

    /** Pay pressed: the payer's method and inputs go to the bank; returns the bank's SCA URL. */
    async pay(webId: string, input: PayInput): Promise<string> {
      const link = await byWebId(webId);
      if (isExpired(link, clock.now())) throw new ApiError('link_expired', 'This payment link has expired.');
      if (link.status !== 'created' && link.status !== 'started') {
        throw new ApiError('unprocessable_entity', `This payment is already ${link.status}.`, {
          status: link.status,
        });
      }
      const method = pageMethods(link).find((m) => m.methodId === input.methodId);
      if (!method) throw validationError('method_id', 'choose one of the banks offered');
      const transfer = transferOf(link);
      const asks = asksFor(link, [method]).get(method.methodId) ?? [];
      for (const { input: name } of asks) {
        const raw = (name === 'debtor_iban' ? input.debtorIban : input.psuId)?.trim();
        if (!raw) continue;
        if (name === 'debtor_iban') {
          const iban = checkIban(raw);
          if (!iban.ok) throw validationError('debtor_iban', iban.message);
          transfer.debtor_iban = iban.iban;
        } else {
          transfer.psu_id = raw;
        }
      }
      checkComplete(catalogue, method, transfer, '');

      const requested = await db.transaction().execute(async (trx) => {
        const locked = await repo.lockById(trx, link.id);
        if (!locked) throw notFound('payment link');
        try {
          return await applyEvent(trx, deps, locked, 'pay_requested', {
            patch: {
              method_id: method.methodId,
              provider_id: method.providerId,
              debtor_iban: transfer.debtor_iban ?? null,
              psu_id: transfer.psu_id ?? null,
            },
          });
        } catch (error) {
          if (error instanceof TransitionRefused) {
            throw new ApiError('unprocessable_entity', `This payment is already ${locked.status}.`);
          }
          throw error;
        }
      });

      const { product, result } = await createBankPayment(deps, {
        link: requested,
        method,
        psuIpAddress: input.psuIpAddress,
      });
      if (!result.ok) {
        // Back to choosing: the payer may pick another bank, so what this attempt chose is forgotten.
        await change(link.id, (l) => (l.status === 'requested' ? 'intent_failed' : undefined), {
          patch: { method_id: null, provider_id: null, debtor_iban: link.debtor_iban, psu_id: link.psu_id },
        });
        throw bankRefusal(result.error);
      }
      const now = clock.now();
      const accepted = await db.transaction().execute(async (trx) => {
        const locked = await repo.lockById(trx, link.id);
        if (!locked) throw notFound('payment link');
        if (locked.status !== 'requested') {
          // Cancelled while the bank call was in flight.
          throw new ApiError('unprocessable_entity', `This payment is already ${locked.status}.`);
        }
        const l = await applyEvent(trx, deps, locked, 'intent_accepted', {
          bankStatus: result.value.transactionStatus,
          patch: {
            ...bankPaymentColumns(deps.secretBox, result.value.paymentId),
            bank_product: product,
            sca_url: result.value.scaRedirectUrl,
            poll_attempts: 0,
            poll_since: now,
            next_poll_at: new Date(now.getTime() + policy.initialDelayMs),
          },
        });
        return applyEvent(trx, deps, l, 'sca_started');
      });
      return accepted.sca_url!;
    },

    /** The payer continues to the bank with an SCA URL Ferry already holds (wrapped_sca, or coming back). */
    async authorize(webId: string): Promise<string> {
      const link = await byWebId(webId);
      if (link.status !== 'intent_accepted' && link.status !== 'awaiting_authz') {
        throw new ApiError('unprocessable_entity', `This payment is ${link.status}.`, {
          status: link.status,
        });
      }
      if (!link.sca_url)
        throw new ApiError('unprocessable_entity', 'There is no bank authorisation to continue.');
      if (clock.now().getTime() >= scaDeadline(link)) {
        throw new ApiError('link_expired', 'The time to authorise this payment at the bank is over.');
      }
      await change(link.id, 'sca_started');
      return link.sca_url;
    },

    /** The bank sent the payer back: ask the bank at once rather than wait for the next poll. */
    async returned(webId: string, outcome: 'ok' | 'nok'): Promise<repo.LinkRow> {
      const link = await byWebId(webId);
      if (!link.bank_payment_id || isFinal(link.status)) return link;
      const result = await bankPaymentStatus(deps, link);
      if (result?.ok)
        return applyBankStatus(
          link.id,
          result.value.transactionStatus,
          outcome === 'ok' ? 'return_ok' : 'return_nok',
        );
      if (result) log('bank status unavailable on return', { link_id: link.id, error: result.error.message });
      if (outcome === 'nok') {
        return change(link.id, (l) => (transition(l.status, 'sca_failed').ok ? 'sca_failed' : undefined));
      }
      return link;
    },

    /** One polling round: claims due links and asks their bank. Returns how many were polled. */
    async pollDue(limit = 20): Promise<number> {
      const due = await repo.claimDuePolls(db, clock.now(), limit, policy.leaseMs);
      await Promise.all(
        due.map(async (link) => {
          if (!pollingStatuses.includes(link.status)) {
            await repo.updateLink(db, link.id, { next_poll_at: null });
            return;
          }
          try {
            const result = await bankPaymentStatus(deps, link);
            if (!result) {
              await repo.updateLink(db, link.id, { next_poll_at: null });
              return;
            }
            if (result.ok) {
              await applyBankStatus(link.id, result.value.transactionStatus, 'poll');
              return;
            }
            const attempts = link.poll_attempts + 1;
            const retryAfter = (result.error.retryAfterSeconds ?? 0) * 1000;
            const next = nextPoll(link, link.status, attempts);
            await repo.updateLink(db, link.id, {
              poll_attempts: attempts,
              next_poll_at: next && new Date(Math.max(next.getTime(), clock.now().getTime() + retryAfter)),
            });
            log('bank status poll failed', { link_id: link.id, kind: result.error.kind });
          } catch (error) {
            log('bank status poll crashed', { link_id: link.id, error: (error as Error).message });
          }
        }),
      );
      return due.length;
    },

    /** Marks links that never reached the bank as expired once their time is up. Returns how many. */
    async sweepExpired(limit = 500): Promise<number> {
      return db.transaction().execute(async (trx) => {
        const rows = await repo.lockExpiring(trx, clock.now(), limit);
        for (const row of rows)
          await repo.updateLink(trx, row.id, { is_expired: true, updated_at: clock.now() });
        return rows.length;
      });
    },

    /** The creditor's bank confirmed or rejected the credit for a payment it holds. */
    async fundsNotification(providerId: string, paymentId: string, outcome: 'received' | 'rejected') {
      return db.transaction().execute(async (trx) => {
        let link = await repo.lockByBankPayment(trx, providerId, {
          key: bankPaymentKey(deps.secretBox, paymentId),
          plain: paymentId,
        });
        // Naming the payment tells the bank this is an answer about it, not a wrong URL: it stops retrying.
        if (!link) throw new ApiError('not_found', 'The payment was not found.', { payment_id: paymentId });
        // A credit proves the payment completed even if Ferry's last poll had not seen it yet.
        if (transition(link.status, 'bank_completed').ok) {
          link = await applyEvent(trx, deps, link, 'bank_completed');
        }
        const event = outcome === 'received' ? 'funds_received' : 'funds_rejected';
        if (!transition(link.status, event).ok) {
          throw new ApiError(
            'unprocessable_entity',
            `The payment is ${link.status}; funds_${outcome} does not apply.`,
          );
        }
        link = await applyEvent(trx, deps, link, event);
        return { link_id: link.id, status: link.status };
      });
    },
  };
}

export type PaymentFlow = ReturnType<typeof createPaymentFlow>;

export function transferOf(link: repo.LinkRow): Transfer {
  const t: Transfer = {
    amount: link.amount,
    currency: link.currency,
    creditor_name: link.creditor_name,
    creditor_iban: link.creditor_iban,
  };
  if (link.remittance_info) t.remittance_info = link.remittance_info;
  if (link.end_to_end_id) t.end_to_end_id = link.end_to_end_id;
  if (link.debtor_iban) t.debtor_iban = link.debtor_iban;
  if (link.psu_id) t.psu_id = link.psu_id;
  return t;
}
