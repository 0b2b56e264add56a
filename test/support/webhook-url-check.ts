import type { WebhookUrlCheck } from '../../src/auth/index.js';
import { checkTargetAtInput } from '../../src/webhooks/index.js';

/** The webhook URL check as services.ts binds it, with the default (empty) operator allowlist. */
export const webhookUrlCheck: WebhookUrlCheck = async (url, mode, field) => {
  await checkTargetAtInput(url, { mode, allowHosts: [] }, field);
};
