/**
 * Child-process webhook receiver for bench/webhooks.ts. Every webhook is verified as seed 000 says: the JWS
 * checked against Ferry's JWKS, the kid header matching the protected header's, the payload equal to the raw
 * body byte for byte. Receivers (argv[3]):
 * - `express`: the seed's Express + express.raw() recipe as is (jose compactVerify, createRemoteJWKSet);
 * - `http`: the same jose verification on a bare node:http server (what the receiver's framework costs);
 * - `crypto`: bare node:http verifying with node:crypto (jose 6 verifies through WebCrypto, ~2.7x the CPU).
 * Reports verified ids and arrival times to the parent over IPC, in small batches.
 */
import { createPublicKey, verify as cryptoVerify, type JsonWebKey, type KeyObject } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { compactVerify, createRemoteJWKSet } from 'jose';

const BASE_URL = process.argv[2]!;
const kind = process.argv[3] ?? 'express';
const JWKS = createRemoteJWKSet(new URL(`${BASE_URL}/.well-known/jwks.json`));

let pending: [string, number][] = [];
let rejected = 0;
setInterval(() => {
  if (pending.length === 0 && rejected === 0) return;
  process.send?.({ verified: pending, rejected });
  pending = [];
  rejected = 0;
}, 50).unref();
process.on('message', () => {
  const { user, system } = process.cpuUsage();
  process.send?.({ cpuMs: (user + system) / 1000 });
});

/** The recipe's checks; true when the webhook is genuine. */
async function verify(
  sig: string | undefined,
  kidHeader: string | undefined,
  rawBody: Buffer,
): Promise<boolean> {
  if (!sig || !kidHeader) return false;
  const { payload, protectedHeader } = await compactVerify(sig, JWKS);
  if (protectedHeader?.kid && protectedHeader.kid !== kidHeader) return false;
  return Buffer.compare(Buffer.from(payload), rawBody) === 0;
}

// The `crypto` receiver's JWKS: fetched at start, fetched again (at most once a second) for an unknown kid.
const publicKeys = new Map<string, KeyObject>();
let fetchedAt = 0;
async function loadKeys(): Promise<void> {
  fetchedAt = Date.now();
  const { keys } = (await (await fetch(`${BASE_URL}/.well-known/jwks.json`)).json()) as {
    keys: (JsonWebKey & { kid: string; alg: string })[];
  };
  for (const k of keys)
    if (k.alg === 'ES256') publicKeys.set(k.kid, createPublicKey({ key: k, format: 'jwk' }));
}

/** The same checks as `verify`, on node:crypto: ES256 only, as Ferry signs by default. */
function verifyWithNodeCrypto(
  sig: string | undefined,
  kidHeader: string | undefined,
  rawBody: Buffer,
): boolean {
  const parts = sig?.split('.');
  if (parts?.length !== 3 || !kidHeader) return false;
  const [h, p, s] = parts as [string, string, string];
  const header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as { alg?: string; kid?: string };
  if (header.alg !== 'ES256' || header.kid !== kidHeader) return false;
  const key = publicKeys.get(header.kid);
  if (!key) {
    if (Date.now() - fetchedAt > 1000) void loadKeys();
    return false;
  }
  const signature = Buffer.from(s, 'base64url');
  if (!cryptoVerify('sha256', Buffer.from(`${h}.${p}`), { key, dsaEncoding: 'ieee-p1363' }, signature))
    return false;
  return Buffer.from(p, 'base64url').equals(rawBody);
}

function accepted(id: string | undefined): void {
  pending.push([id ?? '', Date.now()]);
}

let server: ReturnType<typeof createServer>;
if (kind === 'express') {
  const app = express();
  app.use(express.raw({ type: 'application/json' }));
  app.post('/webhook', async (req, res) => {
    try {
      if (!(await verify(req.header('x-signature'), req.header('x-signature-kid'), req.body))) {
        rejected++;
        return res.sendStatus(401);
      }
      accepted(req.header('x-webhook-id'));
      res.sendStatus(200);
    } catch {
      rejected++;
      res.sendStatus(401);
    }
  });
  server = app.listen(0, '127.0.0.1');
} else if (kind === 'crypto') {
  await loadKeys();
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const header = (name: string) => req.headers[name] as string | undefined;
      let ok = false;
      try {
        ok = verifyWithNodeCrypto(header('x-signature'), header('x-signature-kid'), Buffer.concat(chunks));
      } catch {}
      if (ok) accepted(header('x-webhook-id'));
      else rejected++;
      res.statusCode = ok ? 200 : 401;
      res.end();
    });
  });
  server.listen(0, '127.0.0.1');
} else {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const header = (name: string) => req.headers[name] as string | undefined;
      const ok = await verify(header('x-signature'), header('x-signature-kid'), Buffer.concat(chunks)).catch(
        () => false,
      );
      if (ok) accepted(header('x-webhook-id'));
      else rejected++;
      res.statusCode = ok ? 200 : 401;
      res.end();
    });
  });
  server.listen(0, '127.0.0.1');
}
server.keepAliveTimeout = 30_000;
server.on('listening', () => process.send?.({ port: (server.address() as AddressInfo).port }));
