import type { WebhookUrlCheck } from '../../src/auth/index.js';
import { validateTargetUrl } from '../../src/webhooks/index.js';

/** The webhook URL check as services.ts binds it, with the default (empty) operator allowlist. */
export const webhookUrlCheck: WebhookUrlCheck = (url, mode, field) =>
  validateTargetUrl(url, { mode, allowHosts: [] }, field);
