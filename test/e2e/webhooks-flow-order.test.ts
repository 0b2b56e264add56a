import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { driveSca, seedCredentials } from '../../src/sandbox-bank/test-support/sca-driver.js';
import { type Stack, startStack } from '../support/stack.js';
import { type ReceivedWebhook, startReceiver, waitFor } from '../support/webhook-receiver.js';

/**
 * The acceptance run's two out-of-order sequences, end to end with the real worker (`startWorker`, as `ferry
 * start` runs it): a refresh job's statuses and a direct_sca payment link's last two (completed, then the
 * creditor bank's funds_received) reach the client's receiver in the order they happened, and the last one
 * delivered is what the API reports. The receiver answers after a random pause and refuses every event's first
 * attempt (503): each event is retried, and the object's next one waits for it.
 */
interface Delivered {
  event_id: string;
  sequence: number;
  status: string;
  type: string;
  job_id?: string;
  link_id?: string;
}

let receiver: Awaited<ReturnType<typeof startReceiver>>;
/** Bodies the receiver accepted (2xx), in the order it accepted them. */
const accepted: Delivered[] = [];
const attempts = new Map<string, number>();

beforeAll(async () => {
  receiver = await startReceiver(async (hook: ReceivedWebhook) => {
    const body = JSON.parse(hook.body.toString()) as Delivered;
    const n = (attempts.get(body.event_id) ?? 0) + 1;
    attempts.set(body.event_id, n);
    await new Promise((r) => setTimeout(r, Math.random() * 40));
    if (n === 1) return 503;
    accepted.push(body);
    return 200;
  });
});
afterAll(() => receiver?.close());

/** The statuses delivered for one object, once per event (a retry of an accepted event is not a new delivery). */
const deliveredOf = (key: 'job_id' | 'link_id', id: string) => {
  const seen = new Set<string>();
  return accepted.filter((d) => d[key] === id && !seen.has(d.event_id) && seen.add(d.event_id));
};

describe('a refresh job, with the real worker', () => {
  let s: Stack;
  beforeAll(async () => {
    s = await startStack();
  });
  afterAll(() => s?.close());

  it("delivers the job's statuses in order, the last one the job's status", async () => {
    const created = await s.api('/ais/consents/create', {
      ais_method: { provider_id: 'bt_ro' },
      options: { redirect_url: 'https://budget.test/done', webhook_url: `${receiver.url}/ais` },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    const consentId = created.body.consent_id as string;
    await s.authorizeOverHttp(created.body.web_url as string, 'bt_ro_ais_sandbox', 'bt_ro');
    await s.waitForConsent(consentId, 'active');
    const job = await s.api('/ais/jobs/create', { consent_id: consentId });
    const jobId = job.body.job_id as string;
    const done = await s.waitForJob(consentId, jobId);
    expect(done.status).toBe('job_completed');
    const delivered = await waitFor(() => {
      const d = deliveredOf('job_id', jobId);
      return d.at(-1)?.status === 'job_completed' && d;
    }, 60_000);
    expect(delivered.map((d) => d.status)).toEqual([
      'job_started',
      'accounts_ready',
      'balances_ready',
      'transactions_fetching',
      'job_completed',
    ]);
    const sequences = delivered.map((d) => d.sequence);
    expect(sequences).toEqual([...sequences].sort((a, b) => a - b));
  });
});

describe('a direct_sca payment link, with the real worker', () => {
  let s: Stack;
  beforeAll(async () => {
    s = await startStack();
  });
  afterAll(() => s?.close());

  it('delivers completed, then funds_received, and links/get agrees with the last one', async () => {
    const created = await s.api('/links/create', {
      single_transfer: {
        amount: '42.10',
        currency: 'RON',
        creditor_name: 'Ferry Test Shop',
        creditor_iban: 'RO10RZBR0000069999999970',
        remittance_info: 'Order 78',
      },
      payment_method: { provider_id: 'bt_ro' },
      options: {
        type: 'direct_sca',
        redirect_url: 'https://shop.test/back',
        webhook_url: `${receiver.url}/pay`,
      },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    const linkId = created.body.link_id as string;
    const run = await driveSca(created.body.web_url as string, {
      credentials: seedCredentials.bt_ro,
      decision: 'approve',
    });
    expect(run.finalUrl?.startsWith('https://shop.test/back')).toBe(true);
    // Ferry follows the payment (the payer's app need not report back); the sandbox's notice brings the funds.
    const final = await s.waitForLink(linkId, 'funds_received', 60_000);
    const history = (final.status_history as { status: string }[]).map((h) => h.status);
    const delivered = await waitFor(() => {
      const d = deliveredOf('link_id', linkId);
      return d.at(-1)?.status === 'funds_received' && d;
    }, 60_000);
    expect(delivered.slice(-2).map((d) => d.status)).toEqual(['completed', 'funds_received']);
    expect(delivered.map((d) => d.status)).toEqual(history.slice(-delivered.length));
    const sequences = delivered.map((d) => d.sequence);
    expect(sequences).toEqual([...sequences].sort((a, b) => a - b));
    expect((await s.api('/links/get', { link_id: linkId })).body.status).toBe(delivered.at(-1)!.status);
  });
});
