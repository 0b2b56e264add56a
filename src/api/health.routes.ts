import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { migrationsApplied, type Store } from '../store/index.js';

/** Liveness (/health: the process answers) and readiness (/ready: database reachable, migrations applied). */
export function registerHealthRoutes(app: FastifyInstance, store: Store): void {
  app.get('/health', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/ready', { schema: { hide: true } }, async (_request, reply) => {
    try {
      await sql`SELECT 1`.execute(store.db);
      if (!(await migrationsApplied(store))) {
        return reply.code(503).send({ status: 'not_ready', reason: 'migrations pending' });
      }
      return { status: 'ready', database: store.kind };
    } catch {
      return reply.code(503).send({ status: 'not_ready', reason: 'database unreachable' });
    }
  });
}
