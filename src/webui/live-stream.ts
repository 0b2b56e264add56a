import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * Server-Sent Events for a hosted page's live status: sends `status` events when the state changes (woken by
 * `subscribe`, the hub's NOTIFY, and by a heartbeat as a fallback), ends on a final state, a vanished object, the client
 * leaving, or the server closing (`streams` holds the enders the app calls on close).
 */
export function streamLiveStatus(options: {
  request: FastifyRequest;
  reply: FastifyReply;
  /** Calls its listener when the object may have changed; returns the unsubscribe. */
  subscribe: (listener: () => void) => () => void;
  /** The current state; undefined when the object is gone. */
  state: () => Promise<({ final: boolean } & object) | undefined>;
  heartbeatMs: number;
  streams: Set<() => void>;
}): void {
  const { request, reply, subscribe, state, heartbeatMs, streams } = options;
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    'x-accel-buffering': 'no',
    'x-content-type-options': 'nosniff',
  });
  res.write('retry: 2000\n\n');
  let last = '';
  let ended = false;
  let checking = Promise.resolve();
  const check = () => {
    checking = checking.then(async () => {
      if (ended) return;
      try {
        const now = await state();
        if (!now) return end();
        const json = JSON.stringify(now);
        if (json !== last) {
          last = json;
          res.write(`event: status\ndata: ${json}\n\n`);
        }
        if (now.final) end();
      } catch (error) {
        request.log.warn({ err: error }, 'live status check failed');
      }
    });
  };
  const unsubscribe = subscribe(check);
  const heartbeat = setInterval(() => {
    if (!ended) res.write(': keep-alive\n\n');
    check();
  }, heartbeatMs);
  const end = () => {
    if (ended) return;
    ended = true;
    clearInterval(heartbeat);
    unsubscribe();
    streams.delete(end);
    res.end();
  };
  streams.add(end);
  request.raw.on('close', end);
  check();
}
