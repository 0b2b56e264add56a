import type { FastifyInstance, FastifyRequest } from 'fastify';
import { FinqwareError } from './errors.js';
import type { FinqwareContext } from './finqware.context.js';
import { verifySignedRequest } from './signed-request.js';

/** The body bytes as received: the digest is over them, never over a re-serialisation. */
const rawBodies = new WeakMap<FastifyRequest, Buffer>();

/**
 * `/v1s`: the same endpoints, each request also signed (A.2.2). The JSON body is kept as bytes for the digest;
 * the JWT is checked against the tenant's registered identity and keys before the body is validated or anything
 * runs. Any failure is 401 `invalid_api_keys`, naming the reason; nothing is done.
 */
export function requireSignedRequests(scope: FastifyInstance, ctx: FinqwareContext): void {
  scope.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const bytes = body as Buffer;
    rawBodies.set(request, bytes);
    try {
      done(null, bytes.length === 0 ? undefined : JSON.parse(bytes.toString('utf8')));
    } catch {
      done(new FinqwareError('invalid_body', 'The request body is not valid JSON.'), undefined);
    }
  });
  scope.addHook('preValidation', async (request) => {
    const body = request.body as { client_id?: unknown } | undefined;
    const clientId = typeof body?.client_id === 'string' ? body.client_id : undefined;
    const client = clientId ? await ctx.clients.find(clientId) : undefined;
    if (!client?.v1sIdentity || !client.v1sJwks) {
      throw new FinqwareError('invalid_api_keys', 'This tenant has no /v1s identity and keys registered.');
    }
    const result = await verifySignedRequest({
      authorization: request.headers.authorization,
      body: rawBodies.get(request) ?? Buffer.alloc(0),
      identity: client.v1sIdentity,
      keys: client.v1sJwks as Parameters<typeof verifySignedRequest>[0]['keys'],
      audience: ctx.audience,
      now: ctx.clock.now(),
    });
    if (!result.ok) throw new FinqwareError('invalid_api_keys', `${result.message} (${result.reason})`);
  });
}
