/**
 * Child-process webhook receiver for bench/webhooks.ts. Every webhook is verified as seed 000 says: jose
 * compactVerify against createRemoteJWKSet on Ferry's JWKS, kid header check, payload equal to the raw body byte
 * for byte. `express` (argv[3]) runs the seed's Express + express.raw() recipe as is; `http` does the same
 * verification on a bare node:http server, to show what the receiver's own framework costs.
 * Reports verified ids and arrival times to the parent over IPC, in small batches.
 */
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
