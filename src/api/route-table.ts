import type { FastifyInstance } from 'fastify';

/** How an API route authenticates: body credentials of a test client, or an OAuth2 bearer of a live client. */
export type RouteAuth = 'test' | 'live';

/** One API route as registered: what the route table test (src/api/route-table.test.ts) checks for each. */
export interface RecordedRoute {
  method: string;
  url: string;
  auth: RouteAuth;
  /** The JSON schema of the body, if the route declares one. */
  body: Record<string, unknown> | undefined;
  /** Response schemas by status code, if the route declares them. */
  response: Record<string, unknown> | undefined;
}

const tables = new WeakMap<FastifyInstance, RecordedRoute[]>();
const apiUrl = /^\/(v1|v2|test)\//;

/**
 * Records every route registered under /v1, /v2 and /test from now on, however it was declared (`registerRpc`
 * or a bare `app.post`): a new route is in the table, and so under test, the moment it is registered.
 */
export function recordApiRoutes(app: FastifyInstance): void {
  const table: RecordedRoute[] = [];
  tables.set(app, table);
  app.addHook('onRoute', (route) => {
    const match = apiUrl.exec(route.url);
    if (!match) return;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const schema = (route.schema ?? {}) as {
      body?: Record<string, unknown>;
      response?: Record<string, unknown>;
    };
    for (const method of methods) {
      if (method === 'HEAD') continue;
      table.push({
        method,
        url: route.url,
        auth: match[1] === 'test' ? 'test' : 'live',
        body: schema.body,
        response: schema.response,
      });
    }
  });
}

/** The API routes recorded for an app built by buildApp. */
export function apiRoutesOf(app: FastifyInstance): readonly RecordedRoute[] {
  return tables.get(app) ?? [];
}
