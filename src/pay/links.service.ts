import type { Static } from 'typebox';
import type { ApiClient } from '../auth/index.js';
import { DEFAULT_PAGE_SIZE, pageOf } from '../shared/cursor.js';
import { ApiError, notFound, unauthorized, validationError } from '../shared/errors.js';
import { parseInstant } from '../shared/time-input.js';
import { checkTargetAtInput } from '../webhooks/index.js';
import { bankRefusal, cancelBankPayment, createBankPayment } from './bank.js';
import { bankPaymentColumns } from './bank-payment-id.js';
import {
  catalogueFilter,
  checkComplete,
  checkTransfer,
  selectMethods,
  singleMethodFor,
  storedFilter,
} from './intent.js';
import { applyEvent, TransitionRefused } from './link-events.js';
import { bankEvent, cancellableStatuses, isExpired, type LinkStatus, transition } from './link-status.js';
import * as repo from './links.repository.js';
import type { CreateLinkBody, ListLinksBody } from './links.schema.js';
import { keysetOf } from './links.view.js';
import { defaultPolling, type PayDeps } from './pay.deps.js';
import type { DebtorInput, LinkType } from './pay.schema.js';

export type CreateLinkInput = Static<typeof CreateLinkBody>;
export type ListLinksInput = Static<typeof ListLinksBody>;

const DAY = 24 * 3600;
const defaultExpiry: Record<LinkType, number> = {
  link: 7 * DAY,
  wrapped_sca: 15 * 60,
  direct_sca: 15 * 60,
  redirect_sca: 15 * 60,
};

/** The links API: create, get, list, cancel. */
export function createLinksService(deps: PayDeps) {
  const { db, clock, ids, catalogue } = deps;
  const cursor = deps.cursors.list('links', ['timestamp', 'uuid']);
  const cursorOf = (link: repo.LinkRow) => cursor.encode(keysetOf(link));

  return {
    async create(
      client: ApiClient,
      body: CreateLinkInput,
      context: { callerIp?: string } = {},
    ): Promise<repo.CreatedLink> {
      const mode = client.mode;
      const options = body.options ?? {};
      const type: LinkType = options.type ?? 'link';
      const transfer = checkTransfer(body.single_transfer);
      const tracking = checkTracking(client, body.tracking);
      const redirectUrl = options.redirect_url ? checkRedirectUrl(options.redirect_url) : null;
      // The webhooks module's own rules (scheme, credentials, private addresses), applied at input as at delivery.
      const webhookUrl = options.webhook_url
        ? (
            await checkTargetAtInput(
              options.webhook_url,
              { mode, allowHosts: deps.webhookAllowHosts ?? [] },
              'options.webhook_url',
            )
          ).href
        : null;
      if (type === 'direct_sca' && !redirectUrl) {
        throw validationError(
          'options.redirect_url',
          'is required for direct_sca (the bank sends the payer there)',
        );
      }
      const filter = storedFilter(body.payment_method);
      const methods = selectMethods(catalogue, catalogueFilter(filter), mode, transfer);

      const now = clock.now();
      const expiresAt = new Date(now.getTime() + (options.expires_in ?? defaultExpiry[type]) * 1000);
      const apiInputs: DebtorInput[] = [];
      if (transfer.debtor_iban) apiInputs.push('debtor_iban');
      if (transfer.psu_id) apiInputs.push('psu_id');
      const row: repo.NewLink = {
        id: ids.uuid(),
        web_id: ids.token(16),
        client_id: client.id,
        mode,
        type,
        status: 'created',
        amount: transfer.amount,
        currency: transfer.currency,
        creditor_name: transfer.creditor_name,
        creditor_iban: transfer.creditor_iban,
        remittance_info: transfer.remittance_info ?? null,
        end_to_end_id: transfer.end_to_end_id ?? null,
        debtor_iban: transfer.debtor_iban ?? null,
        psu_id: transfer.psu_id ?? null,
        api_inputs: apiInputs,
        method_filter: JSON.stringify(filter),
        user_editable: options.user_editable === undefined ? null : JSON.stringify(options.user_editable),
        redirect_url: redirectUrl,
        webhook_url: webhookUrl,
        ux_template: options.ux_template ?? client.uxTemplate,
        language: options.language ?? null,
        tracking: tracking ? JSON.stringify(tracking) : null,
        expires_at: expiresAt,
        created_at: now,
        updated_at: now,
      };

      // The *_sca types ask the bank for the SCA URL now; a refusal means no link is created.
      let bank: { paymentId: string; product: string; status: string; scaUrl: string } | undefined;
      if (type !== 'link') {
        const method = singleMethodFor(methods, type);
        checkComplete(catalogue, method, transfer, 'single_transfer.');
        const { product, result } = await createBankPayment(deps, {
          link: { ...row, remittance_info: row.remittance_info ?? null } as repo.LinkRow,
          method,
          // The payer is not present when the API asks for an SCA URL: the caller's address stands in for theirs.
          psuIpAddress: context.callerIp,
        });
        if (!result.ok) throw bankRefusal(result.error);
        bank = {
          paymentId: result.value.paymentId,
          product,
          status: result.value.transactionStatus,
          scaUrl: result.value.scaRedirectUrl,
        };
        row.method_id = method.methodId;
        row.provider_id = method.providerId;
      }

      // A link is born `created`: that is not a status change, so no webhook, and one INSERT is the whole write.
      // The *_sca types move on at once, and those changes are events.
      const found = bank;
      const link: Pick<repo.LinkRow, 'id' | 'web_id' | 'created_at' | 'expires_at' | 'status' | 'sca_url'> =
        !found
          ? await repo.insertNewLink(db, row).then(() => ({
              id: row.id,
              web_id: row.web_id,
              created_at: now,
              expires_at: expiresAt,
              status: 'created' as const,
              sca_url: null,
            }))
          : await db.transaction().execute(async (trx) => {
              const born = await repo.insertLink(trx, row);
              const requested = await applyEvent(trx, deps, born, 'pay_requested');
              return applyEvent(trx, deps, requested, 'intent_accepted', {
                bankStatus: found.status,
                patch: {
                  ...bankPaymentColumns(deps.secretBox, found.paymentId),
                  bank_product: found.product,
                  sca_url: found.scaUrl,
                  next_poll_at: new Date(
                    now.getTime() + { ...defaultPolling, ...deps.polling }.initialDelayMs,
                  ),
                  poll_attempts: 0,
                  poll_since: now,
                },
              });
            });

      return { ...link, type };
    },

    /** Every client's links matching the operator's search, newest first (the operator console). */
    search: (filter: repo.LinkSearch) => repo.searchLinks(db, filter),

    /** Any client's link with its status history (the operator console); undefined when there is none. */
    async detail(linkId: string) {
      const link = await repo.findLink(db, linkId);
      return link ? { link, history: await repo.historyOf(db, link) } : undefined;
    },

    /** The link with its status history (links/get). */
    async get(client: ApiClient, linkId: string) {
      const link = await repo.findForClient(db, client.id, linkId);
      if (!link) throw notFound('link');
      return { link, history: await repo.historyOf(db, link) };
    },

    /** One page of the client's links, newest first, each with its cursor (links/list). */
    async list(client: ApiClient, body: ListLinksInput) {
      const filter = body.filter ?? {};
      const limit = body.pagination?.limit ?? DEFAULT_PAGE_SIZE;
      const keyset = cursor.decode(body.pagination?.after);
      const statuses =
        filter.status === undefined ? undefined : ([] as LinkStatus[]).concat(filter.status as LinkStatus[]);
      const from = optionalInstant(filter.inserted_at_from, 'filter.inserted_at_from');
      const to = optionalInstant(filter.inserted_at_to, 'filter.inserted_at_to');
      const rows = await repo.listLinks(db, {
        clientId: client.id,
        statuses,
        from,
        to,
        after: keyset && { at: keyset[0], id: keyset[1] },
        take: limit + 1,
      });
      const { page, pagination } = pageOf(rows, limit, cursorOf);
      return { pagination, links: page.map((link) => ({ link, keyset: cursorOf(link) })) };
    },

    async cancel(client: ApiClient, linkId: string) {
      const found = await repo.findForClient(db, client.id, linkId);
      if (!found) throw notFound('link');
      const done = { link_id: found.id, web_id: found.web_id, status: 'revoked' as const };
      if (found.status === 'revoked') return done;
      if (isExpired(found, clock.now())) {
        throw new ApiError('link_expired', 'The link has expired; there is nothing to cancel.');
      }
      if (!cancellableStatuses.includes(found.status)) {
        throw new ApiError(
          'unprocessable_entity',
          `The link can no longer be cancelled: the payment is ${found.status}.`,
          { status: found.status },
        );
      }
      // A payment the bank already holds is cancelled there first; if the bank has moved on, so do we.
      if (found.bank_payment_id) {
        const result = await cancelBankPayment(deps, found);
        if (result && !result.ok && result.error.kind !== 'not_found') {
          if (result.error.retryable) throw bankRefusal(result.error);
          throw new ApiError('unprocessable_entity', 'The bank would not cancel the payment.', {
            bank_error: { kind: result.error.kind, codes: result.error.tppMessages.map((m) => m.code) },
          });
        }
        if (result?.ok && result.value.transactionStatus !== 'CANC') {
          const status = result.value.transactionStatus;
          const moved = await db.transaction().execute(async (trx) => {
            const link = await repo.lockById(trx, found.id);
            if (!link) throw notFound('link');
            const event = bankEvent(status);
            if (!transition(link.status, event).ok) return link;
            return applyEvent(trx, deps, link, event, { bankStatus: status });
          });
          throw new ApiError(
            'unprocessable_entity',
            `The link can no longer be cancelled: the payment is ${moved.status}.`,
            { status: moved.status },
          );
        }
      }
      await db.transaction().execute(async (trx) => {
        const link = await repo.lockById(trx, found.id);
        if (!link) throw notFound('link');
        try {
          await applyEvent(trx, deps, link, 'cancel', found.bank_payment_id ? { bankStatus: 'CANC' } : {});
        } catch (error) {
          if (!(error instanceof TransitionRefused)) throw error;
          if (link.status === 'revoked') return;
          throw new ApiError(
            'unprocessable_entity',
            `The link can no longer be cancelled: the payment is ${link.status}.`,
            {
              status: link.status,
            },
          );
        }
      });
      return done;
    },
  };
}

export type LinksService = ReturnType<typeof createLinksService>;

function checkTracking(client: ApiClient, tracking: Record<string, string> | undefined) {
  const present = tracking && Object.keys(tracking).length > 0 ? tracking : undefined;
  if (client.trackingRequired) {
    const missing = (['customer_ref', 'order_ref'] as const).filter((k) => !present?.[k]);
    if (missing.length > 0) {
      throw unauthorized(
        `This API client must send tracking ids: tracking.${missing.join(' and tracking.')} missing.`,
      );
    }
  }
  return present;
}

const BLOCKED_SCHEMES = new Set(['javascript:', 'data:', 'vbscript:', 'file:', 'blob:']);

/** http(s), or an app's own scheme (app-to-app flows); never a scheme that runs code in the page. */
function checkRedirectUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw validationError('options.redirect_url', 'must be an absolute URL');
  }
  if (BLOCKED_SCHEMES.has(url.protocol))
    throw validationError('options.redirect_url', `must not use ${url.protocol}`);
  if (url.username || url.password)
    throw validationError('options.redirect_url', 'must not carry credentials');
  return url.href;
}

function optionalInstant(value: string | undefined, field: string): Date | undefined {
  return value === undefined ? undefined : parseInstant(field, value, { dates: true });
}
