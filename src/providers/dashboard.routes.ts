import type { FastifyInstance } from 'fastify';
import { notFound } from '../shared/errors.js';
import type { Catalogue } from './catalogue.js';
import {
  dashboardPath,
  dashboardRows,
  dashboardStyleHash,
  parseDashboardQuery,
  renderDashboard,
} from './dashboard.view.js';
import { providerLogoSvg } from './logo.js';

const dashboardCsp = [
  "default-src 'none'",
  `style-src '${dashboardStyleHash}'`,
  "img-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** The public providers dashboard and the provider logos: no login, no script, no external requests. */
export function registerDashboardRoutes(app: FastifyInstance, deps: { catalogue: Catalogue }): void {
  const { catalogue } = deps;

  app.get(dashboardPath, { schema: { hide: true } }, async (request, reply) => {
    const filter = parseDashboardQuery(request.query);
    return reply
      .header('content-security-policy', dashboardCsp)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .header('x-frame-options', 'DENY')
      .header('cache-control', 'public, max-age=60')
      .type('text/html; charset=utf-8')
      .send(renderDashboard(dashboardRows(catalogue, filter), filter));
  });

  app.get('/providers/logos/:file', { schema: { hide: true } }, async (request, reply) => {
    const { file } = request.params as { file: string };
    const match = /^([a-z][a-z0-9_]{1,31})\.svg$/.exec(file);
    const provider = match ? catalogue.provider(match[1]!) : undefined;
    if (!provider) throw notFound('logo');
    return reply
      .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'")
      .header('x-content-type-options', 'nosniff')
      .header('cache-control', 'public, max-age=86400')
      .type('image/svg+xml; charset=utf-8')
      .send(providerLogoSvg(provider));
  });
}
