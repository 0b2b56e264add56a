import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { revokeByPsu } from './accounts.service.js';
import { bankOf, headerOf, type RouteDeps } from './deps.js';
import { type FaultSpec, validateFaultSpec } from './faults.service.js';
import { formatError, Psd2Error } from './psd2-error.js';

/**
 * Test controls for a sandbox run alone (`--admin-token`): inject faults, make a PSU revoke consents.
 * Disabled without a token, so a sandbox mounted in a public Ferry cannot be broken by strangers.
 */
export async function adminRoutes(app: FastifyInstance, deps: RouteDeps): Promise<void> {
  const token = deps.adminToken;
  if (!token) return;
  app.addHook('preHandler', async (request: FastifyRequest) => {
    const given = Buffer.from(headerOf(request, 'authorization') ?? '');
    const wanted = Buffer.from(`Bearer ${token}`);
    if (given.length !== wanted.length || !timingSafeEqual(given, wanted))
      throw new Psd2Error(401, 'UNAUTHORIZED', 'The admin token is missing or wrong.');
  });

  app.post('/:bank/admin/faults', async (request, reply) => {
    const body = (request.body ?? {}) as Omit<FaultSpec, 'bank'>;
    const spec: FaultSpec = { ...body, bank: bankOf(request) };
    const problem = validateFaultSpec(spec);
    if (problem) throw formatError(problem);
    return reply.code(201).send({ faultId: await deps.faults.add(spec) });
  });

  app.delete('/:bank/admin/faults', async (request, reply) => {
    await deps.faults.clear(bankOf(request));
    return reply.code(204).send();
  });

  app.post('/:bank/admin/psus/:psuId/revoke-consents', async (request) => ({
    revoked: await revokeByPsu(deps.ctx, bankOf(request), (request.params as { psuId: string }).psuId),
  }));
}
