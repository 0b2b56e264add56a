import type { Transaction } from 'kysely';
import type { Clock } from '../shared/clock.js';
import type { Ids } from '../shared/ids.js';
import type { Database } from '../store/index.js';
import { recordEvent } from '../webhooks/index.js';
import { isFinal, type LinkEvent, transition } from './link-status.js';
import { type LinkPatch, type LinkRow, updateLink, updateWithHistory } from './links.repository.js';

/** NOTIFY channel for live status on the hosted page; the payload is the link's web_id. */
export const LIVE_STATUS_CHANNEL = 'ferry_link_status';

/** A status change the table refuses: callers decide whether that is an error for the user or just logged. */
export class TransitionRefused extends Error {
  constructor(
    readonly from: string,
    readonly event: LinkEvent,
  ) {
    super(`Link status ${from} does not accept ${event}.`);
    this.name = 'TransitionRefused';
  }
}

/**
 * Applies one event to a locked link inside the caller's transaction: the status change, its history entry, the
 * `link_status_update` webhook event and the live-status notification all commit or roll back together.
 */
export async function applyEvent(
  trx: Transaction<Database>,
  deps: { clock: Clock; ids: Ids },
  link: LinkRow,
  event: LinkEvent,
  options: { patch?: LinkPatch; bankStatus?: string | null } = {},
): Promise<LinkRow> {
  const result = transition(link.status, event);
  if (!result.ok) throw new TransitionRefused(link.status, event);
  const now = deps.clock.now();
  const patch: LinkPatch = { ...options.patch, updated_at: now };
  if (options.bankStatus) patch.bank_status = options.bankStatus;
  if (result.changed) patch.status = result.to;
  if (isFinal(result.to)) patch.next_poll_at = null;
  if (!result.changed) return updateLink(trx, link.id, patch);
  const row = await updateWithHistory(
    trx,
    link.id,
    patch,
    { status: result.to, event, bankStatus: options.bankStatus ?? null, at: now },
    LIVE_STATUS_CHANNEL,
  );
  await recordEvent(trx, {
    type: 'link_status_update',
    clientId: link.client_id,
    objectId: link.id,
    payload: { type: 'link_status_update', link_id: link.id, web_id: link.web_id, status: result.to },
    url: link.webhook_url,
    id: deps.ids.uuid(),
    at: now,
  });
  return row;
}
