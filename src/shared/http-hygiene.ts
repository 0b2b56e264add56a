import type { FastifyInstance } from 'fastify';
import FindMyWay from 'find-my-way';

declare module 'fastify' {
  interface FastifyInstance {
    /** The methods some route answers for this URL (for 405 + Allow); empty when no route has its path. */
    allowedMethods(url: string): string[];
  }
}

const METHODS: FindMyWay.HTTPMethod[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/**
 * Headers every answer carries, and the methods each path has, for one Fastify root (Ferry's app, or the
 * sandbox bank standing alone): `X-Content-Type-Options: nosniff` on everything, `Cache-Control: no-store` on
 * JSON unless a route chose otherwise, and `Referrer-Policy: no-referrer` on the API explorer (`/docs`) as on the
 * hosted pages. Install before any route is registered: the router copy is filled as routes are added.
 */
export function installHttpHygiene(app: FastifyInstance): void {
  const routes = FindMyWay();
  const noop = () => undefined;
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      const m = method as FindMyWay.HTTPMethod;
      if (METHODS.includes(m) && !routes.hasRoute(m, route.url)) routes.on(m, route.url, noop);
    }
  });
  app.decorate('allowedMethods', (url: string) => {
    const path = url.split('?')[0] ?? url;
    return METHODS.filter((m) => routes.find(m, path) !== null);
  });
  app.addHook('onSend', (request, reply, payload, done) => {
    reply.header('x-content-type-options', 'nosniff');
    const type = String(reply.getHeader('content-type') ?? '');
    if (type.includes('json') && !reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    if (request.url.startsWith('/docs')) reply.header('referrer-policy', 'no-referrer');
    done(null, payload);
  });
}
