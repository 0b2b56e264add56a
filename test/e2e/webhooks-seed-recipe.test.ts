import type { AddressInfo } from 'node:net';
import { Command } from 'commander';
import { CompactSign, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AisTestApp, createAisTestApp } from '../../src/ais/test-support/ais-test-app.js';
import type { CliIo } from '../../src/cli/io.js';
import { addKeysCommands } from '../../src/cli/keys.command.js';
import { type RunningWorker, startWorker } from '../../src/worker/index.js';
import { runFerry } from '../support/cli-process.js';
import { type ConsumerResult, startSeedConsumer } from '../support/seed-webhook-consumer.js';
import { testMasterKey } from '../support/test-app.js';
import { waitFor } from '../support/webhook-receiver.js';

/**
 * The consumer every API client runs (seed 000's Express + jose recipe, fetching Ferry's JWKS over HTTP) accepts
 * every webhook Ferry sends for a link, a consent and a job, before and after `ferry keys rotate`, and rejects a
 * tampered body and an unknown kid.
 */
let t: AisTestApp;
let worker: RunningWorker;
let consumer: Awaited<ReturnType<typeof startSeedConsumer>>;
let baseUrl: string;
const output: string[] = [];

const transfer = {
  amount: '12.30',
  currency: 'RON',
  creditor_name: 'ACME SRL',
  creditor_iban: 'RO10RZBR0000069999999970',
  remittance_info: 'Order 1',
};

let following: NodeJS.Timeout | undefined;
beforeAll(async () => {
  t = await createAisTestApp({
    env: {
      WEBHOOK_RETRY_SCHEDULE: '250ms,500ms,1s,2s,4s,8s,16s,16s',
      WEBHOOK_TEST_RETRY_SCHEDULE: '250ms,500ms,1s,2s,4s,8s,16s,16s',
      WEBHOOK_RETRY_JITTER_PERCENT: '0',
      // While the consumer refuses the new key (jose's 30 s JWKS cooldown), each refused event of an object
      // would hold the next one back for the default 5 s: a short hold keeps the objects' chains overlapping.
      WEBHOOK_TEST_ORDER_HOLD: '500ms',
    },
  });
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  baseUrl = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  consumer = await startSeedConsumer(baseUrl);
  worker = await startWorker(t.services);
  // Retries come due by Ferry's injected clock: here it follows real time, as the consumer's JWKS cooldown does.
  following = setInterval(() => t.clock.advance(50), 50);
});
afterAll(async () => {
  clearInterval(following);
  await worker?.stop();
  await consumer?.close();
  await t?.close();
});

/** A link, a consent taken to active and its first refresh job: every webhook each of them emits. */
async function linkConsentAndJob(): Promise<string[]> {
  const link = await t.call('/test/links/create', {
    single_transfer: transfer,
    options: { webhook_url: consumer.url },
  });
  expect(link.status, JSON.stringify(link.body)).toBe(200);
  // A status change of the link (whether or not its creation is notified too).
  const cancelled = await t.call('/test/links/cancel', { link_id: link.body.link_id });
  expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200);
  const consentId = await t.activeConsent({
    options: { redirect_url: 'https://app.test/done', webhook_url: consumer.url },
  });
  const job = await t.store.db
    .selectFrom('ais_jobs')
    .select('id')
    .where('consent_id', '=', consentId)
    .executeTakeFirstOrThrow();
  const events = await t.store.db
    .selectFrom('webhook_events')
    .select(['id', 'type'])
    .where('object_id', 'in', [link.body.link_id as string, consentId, job.id])
    .execute();
  expect(new Set(events.map((e) => e.type))).toEqual(
    new Set(['link_status_update', 'consent_status_update', 'job_status_update']),
  );
  return events.map((e) => e.id);
}

const acceptedIds = () => new Set(consumer.results.filter((r) => r.status === 200).map((r) => r.webhookId));
const waitAccepted = (ids: string[], ms = 60_000) =>
  waitFor(() => ids.every((id) => acceptedIds().has(id)), ms);
const currentKid = async () => (await t.services.webhooks.keys.jwks()).keys[0]!.kid!;

async function rotateWithCli(): Promise<void> {
  const databaseUrl = t.store.pool?.options.connectionString;
  if (databaseUrl) {
    // On PostgreSQL the real CLI process rotates, beside the running Ferry.
    const res = await runFerry(['keys', 'rotate'], {
      DATABASE_URL: databaseUrl,
      FERRY_MASTER_KEY: testMasterKey.toString('hex'),
    });
    expect(res.code, res.stderr).toBe(0);
    output.push(res.stdout);
    return;
  }
  // The embedded database lives in this process: run the same command through commander, on these services.
  const io: CliIo = { env: {}, cwd: process.cwd(), out: (l) => output.push(l), err: (l) => output.push(l) };
  const program = new Command('ferry').exitOverride();
  addKeysCommands(program, io, async () => ({ services: t.services, close: async () => {} }));
  await program.parseAsync(['keys', 'rotate'], { from: 'user' });
}

async function post(
  result: ConsumerResult,
  change: { body?: Buffer; signature?: string; kid?: string } = {},
) {
  const res = await fetch(consumer.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-signature': change.signature ?? result.signature!,
      'x-signature-kid': change.kid ?? result.kid!,
    },
    body: change.body ?? result.body,
  });
  return res.status;
}

describe('the seed 000 consumer verifies Ferry webhooks', () => {
  let firstRound: ConsumerResult[] = [];
  let kidBefore: string;

  it('accepts every link, consent and job webhook on the first attempt', async () => {
    kidBefore = await currentKid();
    const ids = await linkConsentAndJob();
    expect(ids.length).toBeGreaterThanOrEqual(12);
    await waitAccepted(ids);
    firstRound = consumer.results.filter((r) => ids.includes(r.webhookId!));
    expect(firstRound.every((r) => r.status === 200 && r.kid === kidBefore)).toBe(true);
    expect(firstRound).toHaveLength(ids.length);
    const attempts = await t.store.db
      .selectFrom('webhook_attempts')
      .selectAll()
      .where('event_id', 'in', ids)
      .execute();
    expect(attempts.every((a) => a.attempt === 1 && a.status_code === 200 && a.kid === kidBefore)).toBe(true);
  });

  it('after `ferry keys rotate`, accepts every webhook signed with the new key', async () => {
    await rotateWithCli();
    const kidAfter = await currentKid();
    expect(kidAfter).not.toBe(kidBefore);
    expect(output.join('\n')).toContain(kidAfter);
    const jwks = (await (await fetch(`${baseUrl}/.well-known/jwks.json`)).json()) as {
      keys: { kid: string }[];
    };
    expect(jwks.keys.map((k) => k.kid)).toEqual([kidAfter, kidBefore]);
    // A rotation made by another process (the CLI on PostgreSQL) reaches the running server's signer within its
    // recheck interval (1 s); a webhook sent before that is signed with the previous key, which is still valid.
    await waitFor(async () => (await t.services.webhooks.keys.signer()).kid === kidAfter, 5_000);

    const ids = await linkConsentAndJob();
    // jose refetches the JWKS for an unknown kid at most every 30 s (cooldownDuration): a consumer that fetched
    // less than 30 s before the rotation answers 401 until then, and Ferry's retries carry the webhook over.
    await waitAccepted(ids, 90_000);
    const results = consumer.results.filter((r) => ids.includes(r.webhookId!));
    expect(results.filter((r) => r.status === 200).every((r) => r.kid === kidAfter)).toBe(true);
    // Attempts are recorded once the batch they went out in is settled.
    await waitFor(async () => {
      const events = await t.store.db
        .selectFrom('webhook_events')
        .select('state')
        .where('id', 'in', ids)
        .execute();
      return events.every((e) => e.state === 'delivered');
    });
    const rejected = results.filter((r) => r.status !== 200);
    expect(rejected.every((r) => r.status === 401 && r.kid === kidAfter)).toBe(true);
    console.info(
      `after rotation: ${rejected.length} attempts answered 401 during jose's JWKS cooldown, then accepted`,
    );

    // With the new JWKS cached, the next link, consent and job are accepted on the first attempt.
    const next = await linkConsentAndJob();
    await waitAccepted(next);
    const nextResults = consumer.results.filter((r) => next.includes(r.webhookId!));
    expect(nextResults.every((r) => r.status === 200 && r.kid === kidAfter)).toBe(true);
    expect(nextResults).toHaveLength(next.length);
  });

  it('still verifies a webhook signed just before the rotation (previous key published)', async () => {
    // A fresh consumer (empty JWKS cache) receiving a request signed with the now-previous key.
    const late = await startSeedConsumer(baseUrl);
    try {
      const res = await fetch(late.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-signature': firstRound[0]!.signature!,
          'x-signature-kid': firstRound[0]!.kid!,
        },
        body: firstRound[0]!.body,
      });
      expect(res.status).toBe(200);
    } finally {
      await late.close();
    }
  });

  it('rejects a tampered body, a mismatched kid header and an unknown kid', async () => {
    const sample = firstRound[0]!;
    const tampered = Buffer.from(sample.body.toString().replace(/"status":"[^"]*"/, '"status":"paid"'));
    expect(tampered.equals(sample.body)).toBe(false);
    expect(await post(sample, { body: tampered })).toBe(401);
    expect(await post(sample, { kid: 'some-other-kid' })).toBe(401);
    expect(await post(sample, { signature: '' })).toBe(401);

    const { privateKey } = await generateKeyPair('ES256');
    const forged = await new CompactSign(sample.body)
      .setProtectedHeader({ alg: 'ES256', kid: 'unknown-kid' })
      .sign(privateKey);
    expect(await post(sample, { signature: forged, kid: 'unknown-kid' })).toBe(401);
    // A foreign key claiming the current kid fails the signature check.
    const kid = await currentKid();
    const impostor = await new CompactSign(sample.body)
      .setProtectedHeader({ alg: 'ES256', kid })
      .sign(privateKey);
    expect(await post(sample, { signature: impostor, kid })).toBe(401);
    // The genuine request is still fine.
    expect(await post(sample)).toBe(200);
  });

  it('a second rotation drops the key: the old request no longer verifies', async () => {
    await rotateWithCli();
    const late = await startSeedConsumer(baseUrl);
    try {
      const res = await fetch(late.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-signature': firstRound[0]!.signature!,
          'x-signature-kid': firstRound[0]!.kid!,
        },
        body: firstRound[0]!.body,
      });
      expect(res.status).toBe(401);
    } finally {
      await late.close();
    }
  });
});
