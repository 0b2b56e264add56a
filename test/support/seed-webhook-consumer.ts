import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { compactVerify, createRemoteJWKSet } from 'jose';

export interface ConsumerResult {
  status: number;
  webhookId: string | undefined;
  kid: string | undefined;
  signature: string | undefined;
  body: Buffer;
  at: number;
}

/**
 * The webhook consumer from seed 000 ("JavaScript verification example (Express + jose)"), line for line, with
 * BASE_URL pointing at Ferry. The only addition is the first middleware, which records what was answered.
 */
export async function startSeedConsumer(baseUrl: string): Promise<{
  url: string;
  results: ConsumerResult[];
  close(): Promise<void>;
}> {
  const results: ConsumerResult[] = [];
  const app = express();
  app.use((req, res, next) => {
    res.on('finish', () =>
      results.push({
        status: res.statusCode,
        webhookId: req.header('x-webhook-id'),
        kid: req.header('x-signature-kid'),
        signature: req.header('x-signature'),
        body: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
        at: Date.now(),
      }),
    );
    next();
  });

  // --- seed 000 recipe ---
  // Capture raw body as Buffer
  app.use(express.raw({ type: 'application/json' }));
  const BASE_URL = baseUrl; // e.g. https://sandbox-pay.finqware.com
  const JWKS = createRemoteJWKSet(new URL(`${BASE_URL}/.well-known/jwks.json`));
  app.post('/webhook', async (req, res) => {
    try {
      const sig = req.header('x-signature');
      const kidHeader = req.header('x-signature-kid');
      if (!sig || !kidHeader) return res.sendStatus(401);
      // Verify signature (jose picks key by kid from the JWS header)
      const { payload, protectedHeader } = await compactVerify(sig, JWKS);
      // Optional defense-in-depth: compare kid values
      if (protectedHeader?.kid && protectedHeader.kid !== kidHeader) {
        return res.sendStatus(401);
      }
      // Payload must match raw body exactly
      const rawBody = req.body; // Buffer from express.raw
      if (Buffer.compare(Buffer.from(payload), rawBody) !== 0) {
        return res.sendStatus(401);
      }
      // At this point: signature valid + body matches
      // Now you can JSON.parse(rawBody.toString("utf8")) safely
      res.sendStatus(200);
    } catch (_e) {
      res.sendStatus(401);
    }
  });
  // --- end of recipe ---

  const server: Server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhook`,
    results,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
