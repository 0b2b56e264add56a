import type { FastifyInstance } from 'fastify';
import type { RpcDeps } from '../api/index.js';
import type { Catalogue } from '../providers/index.js';
import type { Metrics } from '../shared/metrics.js';
import { countByStatus } from '../store/index.js';
import type { HostedPages } from '../webui/index.js';
import type { WorkerRegistry } from '../worker/index.js';
import { bankNotificationRootKey } from './bank-notifications.js';
import { registerBankNotifications } from './bank-notifications.routes.js';
import { registerLinksApi } from './links.routes.js';
import { createLinksService, type LinksService } from './links.service.js';
import type { PayDeps } from './pay.deps.js';
import { addPayTasks } from './pay.worker.js';
import { payPage } from './pay-page.routes.js';
import { createPaymentFlow, type PaymentFlow } from './payment-flow.service.js';

export {
  bankNotificationHeaders,
  bankNotificationRootKey,
  bankNotificationSecret,
  SIGNATURE_HEADER as BANK_SIGNATURE_HEADER,
  signBankNotification,
  verifyBankNotification,
} from './bank-notifications.js';
export { LIVE_STATUS_CHANNEL } from './link-events.js';
export type { LinkEvent, LinkStatus } from './link-status.js';
export { isFinal, linkStatuses, pollingStatuses, preBankStatuses, transition } from './link-status.js';
export type { HistoryRow, LinkRow, LinkSearch } from './links.repository.js';
export type { LinksService } from './links.service.js';
export { defaultPolling, type PayDeps, type PollingPolicy } from './pay.deps.js';
export { EXPIRE_TASK, POLL_TASK } from './pay.worker.js';
export type { PageLink, PayInput, PaymentFlow } from './payment-flow.service.js';

/** FinqLink Pay: the links API, the payment flow behind the hosted page, and the bank-side follow-up. */
export interface PayService {
  links: LinksService;
  flow: PaymentFlow;
  /** Root of the per-provider bank-notification secrets (derived from the master key). */
  notificationKey: Buffer;
}

export function createPayService(deps: PayDeps & { masterKey: Buffer }): PayService {
  return {
    links: createLinksService(deps),
    flow: createPaymentFlow(deps),
    notificationKey: bankNotificationRootKey(deps.masterKey),
  };
}

/** Bank status polling and the expiry sweep run wherever the worker runs (`ferry start` or `ferry worker`). */
export function registerPayWorker(worker: WorkerRegistry, pay: PayService): void {
  addPayTasks(worker, pay.flow);
}

/** The links API, the bank notifications endpoint and the hosted pay page. */
export async function registerPayRoutes(
  app: FastifyInstance,
  deps: RpcDeps & {
    pay: PayService;
    clock: { now(): Date };
    catalogue: Catalogue;
    pages: HostedPages;
    publicUrl: string;
  },
): Promise<void> {
  registerLinksApi(app, deps, deps.pay.links);
  await deps.pages.register(
    payPage({ flow: deps.pay.flow, catalogue: deps.catalogue, publicUrl: deps.publicUrl }),
  );
  await registerBankNotifications(app, {
    flow: deps.pay.flow,
    rootKey: deps.pay.notificationKey,
    nowSeconds: () => Math.floor(deps.clock.now().getTime() / 1000),
  });
}

/** Payment links by status, read at each scrape of /metrics. */
export function addPayMetrics(metrics: Metrics, db: PayDeps['db']): void {
  metrics.gauge('ferry_payment_links', 'Payment links by status', ['status'], async () =>
    (await countByStatus(db, 'pay_links')).map(({ status, n }) => ({ labels: { status }, value: n })),
  );
}
