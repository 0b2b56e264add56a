import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { createHttpSender, PIPELINE_DEPTH } from './http-sender.js';
import { resolveTarget } from './ssrf.js';

const sender = createHttpSender();
const servers: ReturnType<typeof createServer>[] = [];
afterAll(async () => {
  await sender.close();
  for (const s of servers) {
    s.closeAllConnections();
    s.close();
  }
});

async function serve(handler: (req: IncomingMessage, body: Buffer, res: ServerResponse) => void) {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handler(req, Buffer.concat(chunks), res));
  });
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const send = async (url: string, timeoutMs = 2000) =>
  sender.send({
    target: await resolveTarget(url, { mode: 'test', allowHosts: [] }),
    body: '{"type":"x"}',
    headers: { 'content-type': 'application/json', 'x-webhook-id': 'e1' },
    timeoutMs,
  });

describe('webhook HTTP sender', () => {
  it('POSTs the exact body and headers and reports the status and latency', async () => {
    let seen: { method?: string; path?: string; headers?: IncomingMessage['headers']; body?: string } = {};
    const base = await serve((req, body, res) => {
      seen = { method: req.method, path: req.url, headers: req.headers, body: body.toString() };
      res.statusCode = 204;
      res.end();
    });
    const result = await send(`${base}/hooks/in?x=1`);
    expect(result).toMatchObject({ kind: 'response', status: 204 });
    expect(result.latencyMs).toBeGreaterThanOrEqual(0);
    expect(seen).toMatchObject({ method: 'POST', path: '/hooks/in?x=1', body: '{"type":"x"}' });
    expect(seen.headers).toMatchObject({
      'content-type': 'application/json',
      'x-webhook-id': 'e1',
      'user-agent': 'Ferry-Webhooks/1',
    });
  });

  it('does not follow a redirect: the 3xx is the result', async () => {
    const base = await serve((_req, _body, res) => {
      res.writeHead(302, { location: 'http://169.254.169.254/' });
      res.end();
    });
    expect(await send(base)).toMatchObject({ kind: 'response', status: 302 });
  });

  it('gives up at the timeout when the receiver never answers', async () => {
    const base = await serve(() => {});
    const started = Date.now();
    const result = await send(base, 300);
    expect(result).toMatchObject({ kind: 'error', error: 'timed out after 300 ms' });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('stops reading a huge response body but keeps its status', async () => {
    const base = await serve((_req, _body, res) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      const chunk = Buffer.alloc(64 * 1024, 120);
      for (let i = 0; i < 64; i++) res.write(chunk); // 4 MiB
      res.end();
    });
    expect(await send(base)).toMatchObject({ kind: 'response', status: 500 });
  });

  it('the status is the answer: a body that stalls past the timeout or is cut off changes nothing', async () => {
    const stalls = await serve((_req, _body, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('partial'); // and never the rest
    });
    expect(await send(stalls, 300)).toMatchObject({ kind: 'response', status: 200 });
    const cut = await serve((_req, _body, res) => {
      res.writeHead(202, { 'content-length': '100' });
      res.write('partial', () => res.socket?.destroy());
    });
    expect(await send(cut)).toMatchObject({ kind: 'response', status: 202 });
  });

  it('reports a refused connection with its code', async () => {
    const base = await serve(() => {});
    const port = Number(new URL(base).port);
    const closed = servers.pop()!;
    await new Promise((r) => closed.close(r));
    const result = await send(`http://127.0.0.1:${port}/`);
    expect(result.kind).toBe('error');
    expect((result as { error: string }).error).toMatch(/ECONNREFUSED/);
  });

  describe('pipelining', () => {
    /** A receiver answering after `delayMs` that tracks how many requests each connection carries at once. */
    async function counting(delayMs: number) {
      const stats = { sockets: new Set<unknown>(), maxOnOneSocket: 0 };
      const open = new Map<unknown, number>();
      const base = await serve((req, _body, res) => {
        const socket = req.socket;
        stats.sockets.add(socket);
        const n = (open.get(socket) ?? 0) + 1;
        open.set(socket, n);
        stats.maxOnOneSocket = Math.max(stats.maxOnOneSocket, n);
        setTimeout(() => {
          open.set(socket, open.get(socket)! - 1);
          res.end();
        }, delayMs);
      });
      return { base, stats };
    }

    it('a receiver that answers fast gets several requests per connection', async () => {
      const { base, stats } = await counting(0);
      for (let i = 0; i < 5; i++) await send(base); // measured as fast
      const results = await Promise.all(Array.from({ length: 200 }, () => send(base)));
      expect(results.every((r) => r.kind === 'response' && r.status === 200)).toBe(true);
      expect(stats.maxOnOneSocket).toBeGreaterThan(1);
      expect(stats.maxOnOneSocket).toBeLessThanOrEqual(PIPELINE_DEPTH);
      expect(stats.sockets.size).toBeLessThanOrEqual(64);
    });

    it('a slow receiver gets one request per connection at a time', async () => {
      const { base, stats } = await counting(120);
      for (let i = 0; i < 3; i++) await send(base);
      const results = await Promise.all(Array.from({ length: 40 }, () => send(base)));
      expect(results.every((r) => r.kind === 'response' && r.status === 200)).toBe(true);
      expect(stats.maxOnOneSocket).toBe(1);
      expect(stats.sockets.size).toBeGreaterThanOrEqual(40);
    });
  });
});
